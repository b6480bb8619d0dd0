import { signUnsubscribeToken } from './token';

/** The two unsubscribe links every reminder carries. */
export interface UnsubscribeLinks {
  /** Footer link: opens a small page offering "just this cart" or "all reminders" (a GET changes nothing). */
  readonly pageUrl: string;
  /** The List-Unsubscribe URL: a POST of `List-Unsubscribe=One-Click` stops all reminders at once (RFC 8058). */
  readonly oneClickUrl: string;
}

/**
 * Builds signed unsubscribe links under the unsubscribe endpoint's base URL (`https://…/u/<token>`).
 * The mail client's one-click button means "stop emailing me", so its token covers every reminder; the footer
 * link names the cart and lets the shopper choose.
 */
export function unsubscribeLinks(baseUrl: string, key: string, cartId: string): UnsubscribeLinks {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    pageUrl: `${base}/u/${signUnsubscribeToken({ cartId, scope: 'cart' }, key)}`,
    oneClickUrl: `${base}/u/${signUnsubscribeToken({ cartId, scope: 'all' }, key)}`,
  };
}
