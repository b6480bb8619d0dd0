import * as z from 'zod';
import { type FunctionUrlEvent, type FunctionUrlHandler, type FunctionUrlResult, rawBody } from '../http/function-url';
import { invalidLinkPage, nothingToStopPage, unsubscribeChoicePage, unsubscribedPage } from '../domain/unsubscribe/pages';
import { verifyUnsubscribeToken } from '../domain/unsubscribe/token';
import { unsubscribe, type UnsubscribeDeps } from '../use-cases/unsubscribe';
import type { RulesSource } from '../ports/owner-docs';

export interface UnsubscribeHandlerDeps extends UnsubscribeDeps {
  /** HMAC key the tokens were signed with. */
  readonly key: string;
  readonly rules: RulesSource;
}

const pageChoice = z.object({ scope: z.enum(['cart', 'all']) });

/**
 * The unsubscribe Function URL, `/u/<token>`.
 * - GET: a page offering "this cart" or "all reminders". Writes nothing (mail scanners fetch links).
 * - POST `List-Unsubscribe=One-Click` (RFC 8058, sent by the mail client): opt out at the token's scope, 200.
 * - POST `scope=cart|all` (the page's buttons): opt out at that scope.
 * No login, no cookie. A bad or altered token gets a plain error page and writes nothing.
 */
export function createUnsubscribeHandler(deps: UnsubscribeHandlerDeps): FunctionUrlHandler {
  return async (event: FunctionUrlEvent) => {
    try {
      const match = /^\/u\/([^/]+)$/.exec(event.rawPath);
      const verified = match?.[1] ? verifyUnsubscribeToken(decodeURIComponent(match[1]), deps.key) : undefined;
      if (!verified?.ok) return html(400, invalidLinkPage());
      deps.log.appendKeys({ cartId: verified.claims.cartId });
      const { store } = await deps.rules.current();
      const method = event.requestContext.http.method;

      if (method === 'GET' || method === 'HEAD') return html(200, unsubscribeChoicePage(store.name, event.rawPath));
      if (method !== 'POST') return html(405, invalidLinkPage(), { allow: 'GET, POST' });

      const form = new URLSearchParams(rawBody(event).toString('utf8'));
      const oneClick = form.get('List-Unsubscribe') === 'One-Click';
      const choice = pageChoice.safeParse({ scope: form.get('scope') });
      if (!oneClick && !choice.success) return html(400, invalidLinkPage());
      const scope = oneClick ? verified.claims.scope : (choice.data?.scope ?? verified.claims.scope);

      const result = await unsubscribe({ cartId: verified.claims.cartId, scope, source: oneClick ? 'one_click' : 'page' }, deps);
      return html(200, result.outcome === 'unsubscribed' ? unsubscribedPage(store.name, scope) : nothingToStopPage(store.name));
    } catch (error) {
      deps.log.error('unsubscribe failed', { error: error instanceof Error ? error.stack : String(error) });
      return html(500, '<!doctype html><title>Try again</title><p>Something went wrong on our side. Please try the link again in a minute.</p>');
    }
  };
}

function html(statusCode: number, body: string, headers: Record<string, string> = {}): FunctionUrlResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex', ...headers },
    body,
  };
}
