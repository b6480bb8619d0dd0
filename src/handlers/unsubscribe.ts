import * as z from 'zod';
import { readFormBody } from '../http/form-body';
import type { FunctionUrlEvent, FunctionUrlHandler, FunctionUrlResult } from '../http/function-url';
import {
  invalidLinkPage,
  nothingToStopPage,
  unsubscribeChoicePage,
  unsubscribedPage,
} from '../domain/unsubscribe/pages';
import { MAX_TOKEN_LENGTH, verifyUnsubscribeToken } from '../domain/unsubscribe/token';
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
 * - POST `List-Unsubscribe=One-Click` (RFC 8058, sent by the mail client, urlencoded or multipart, base64 or not):
 *   opt out at the token's scope, 200.
 * - POST `scope=cart|all` (the page's buttons): opt out at that scope.
 * No login, no cookie. Anything wrong with the request (a bad, altered or truncated token, a malformed path or body)
 * gets the plain error page, writes nothing and logs one short line; only our own failure is a 500.
 */
export function createUnsubscribeHandler(deps: UnsubscribeHandlerDeps): FunctionUrlHandler {
  const refuse = (reason: string, statusCode = 400, headers: Record<string, string> = {}): FunctionUrlResult => {
    deps.log.info('unsubscribe refused', { reason });
    return html(statusCode, invalidLinkPage(), headers);
  };
  return async (event: FunctionUrlEvent) => {
    try {
      const token = tokenIn(event.rawPath);
      if (token === undefined) return refuse('no readable token in the path');
      const verified = verifyUnsubscribeToken(token, deps.key);
      if (!verified.ok) return refuse(verified.reason);
      const { claims } = verified;
      deps.log.appendKeys({ cartId: claims.cartId });
      const method = event.requestContext.http.method;
      if (method !== 'GET' && method !== 'HEAD' && method !== 'POST')
        return refuse(`method ${method.slice(0, 10)}`, 405, { allow: 'GET, POST' });
      const { store } = await deps.rules.current();
      if (method !== 'POST') return html(200, unsubscribeChoicePage(store.name, event.rawPath));

      const form = readFormBody(event);
      if (!form.ok) return refuse(form.reason);
      const oneClick = form.fields.get('List-Unsubscribe') === 'One-Click';
      const choice = pageChoice.safeParse({ scope: form.fields.get('scope') });
      if (!oneClick && !choice.success) return refuse('neither one-click nor a page choice');
      const scope = oneClick ? claims.scope : (choice.data?.scope ?? claims.scope);

      const result = await unsubscribe(
        {
          cartId: claims.cartId,
          scope,
          source: oneClick ? 'one_click' : 'page',
          ...(claims.email ? { email: claims.email } : {}),
        },
        deps,
      );
      return html(
        200,
        result.outcome === 'unsubscribed' ? unsubscribedPage(store.name, scope) : nothingToStopPage(store.name),
      );
    } catch (error) {
      deps.log.error('unsubscribe failed', { error: error instanceof Error ? error.stack : String(error) });
      return html(
        500,
        '<!doctype html><title>Try again</title><p>Something went wrong on our side. ' +
          'Please try the link again in a minute.</p>',
      );
    }
  };
}

/**
 * The token in `/u/<token>`, percent-decoded; undefined for any other path, an overlong one, or a malformed escape
 * (`decodeURIComponent` throws on those: that is the caller's mistake, never a 500).
 */
function tokenIn(rawPath: string): string | undefined {
  if (rawPath.length > MAX_TOKEN_LENGTH * 3 + 3) return undefined;
  const match = /^\/u\/([^/]+)$/.exec(rawPath);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

function html(statusCode: number, body: string, headers: Record<string, string> = {}): FunctionUrlResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      ...headers,
    },
    body,
  };
}
