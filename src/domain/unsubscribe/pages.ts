import { escapeHtml } from '../email/html';

/** A small, self-contained page (no scripts, no external assets) that reads well on a phone. */
function page(title: string, body: string): string {
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:-apple-system,Segoe ` +
    `UI,Roboto,Helvetica,Arial,sans-serif;background:#f6f4f0;color:#2b2b2b;margin:0;padding:40px 16px}
main{max-width:440px;margin:0 auto;background:#fff;border-radius:12px;padding:28px 24px;box-shadow:0 1px 3px ` +
    `rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 12px}p{line-height:1.5;margin:0 0 16px}
button{display:block;width:100%;font-size:16px;padding:12px;margin:10px 0;border-radius:8px;border:1px solid ` +
    `#2b2b2b;background:#2b2b2b;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2b2b2b}</style></head>
<body><main>${body}</main></body></html>`
  );
}

/** The footer link's page: a GET shows choices and changes nothing, so a mail scanner cannot unsubscribe anyone. */
export function unsubscribeChoicePage(storeName: string, actionUrl: string): string {
  const store = escapeHtml(storeName);
  const action = escapeHtml(actionUrl);
  return page(
    `Unsubscribe from ${storeName}`,
    `<h1>Stop cart reminders from ${store}?</h1>
<p>Pick one. It takes effect at once, and nothing else changes.</p>
<form method="post" action="${action}"><input type="hidden" name="scope" value="cart">
<button type="submit" class="secondary">Stop reminders about this cart</button></form>
<form method="post" action="${action}"><input type="hidden" name="scope" value="all">
<button type="submit">Stop all cart reminders</button></form>`,
  );
}

/** After the opt-out is recorded. */
export function unsubscribedPage(storeName: string, scope: 'cart' | 'all'): string {
  const what = scope === 'all' ? 'any more cart reminders' : 'any more reminders about this cart';
  return page('Unsubscribed', `<h1>Done.</h1><p>You won't get ${what} from ${escapeHtml(storeName)}.</p>`);
}

/** For a cart we no longer hold: there is nothing left to send. */
export function nothingToStopPage(storeName: string): string {
  return page(
    'Nothing to stop',
    `<h1>Nothing to stop.</h1><p>${escapeHtml(storeName)} no longer holds this cart, ` +
      `so no reminder about it can be sent.</p>`,
  );
}

/** A bad, altered or truncated link. */
export function invalidLinkPage(): string {
  return page(
    'Link not valid',
    `<h1>This link isn't valid.</h1><p>It may have been cut short or changed. Please use the link from the email ` +
      `itself, or reply to the email and we'll take you off the list.</p>`,
  );
}
