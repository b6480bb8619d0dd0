import type { Log } from '../ports/log';
import {
  errorResponse,
  type FunctionUrlEvent,
  type FunctionUrlHandler,
  header,
  HttpError,
  jsonResponse,
  rawBody,
} from '../http/function-url';
import { ingestCartEvent, type IngestDeps } from '../use-cases/ingest-cart-event';
import type { WebhookFormat } from '../ports/webhook-format';

/**
 * Bodies above this are refused before anything else: the Function URL's own request limit (6 MB, buffered mode), so a
 * delivery the URL lets through is never refused for its size here (a Shopify checkout line with its properties and
 * tax lines is a few KB; a cart of 5,000 of them is kept bounded, `domain/cart/bounds.ts`). The signature is checked
 * on the raw bytes before the body is parsed, so a forged big body costs one HMAC.
 */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface IntakeHandlerDeps extends IngestDeps {
  /** Formats by request path: `/webhooks/cart` (ours), `/webhooks/shopify` and `/webhooks/stripe`. */
  readonly formats: Readonly<Record<string, WebhookFormat>>;
  readonly log: Log;
}

/**
 * The intake Function URL: method and size checks, signature and schema via the format, then one use case.
 * The same handler serves production (Lambda) and the local system (plain HTTP server).
 */
export function createIntakeHandler(deps: IntakeHandlerDeps): FunctionUrlHandler {
  return async (event: FunctionUrlEvent) => {
    // The path as logged and echoed: a caller's junk path stays one short line.
    const path = event.rawPath.length > 100 ? `${event.rawPath.slice(0, 100)}…` : event.rawPath;
    try {
      const format = deps.formats[event.rawPath];
      if (!format)
        throw new HttpError(404, 'not_found', `No webhook at ${path}; use ${Object.keys(deps.formats).join(' or ')}.`);
      if (event.requestContext.http.method !== 'POST') {
        throw new HttpError(405, 'method_not_allowed', 'Webhooks are delivered with POST.', { allow: 'POST' });
      }
      const body = rawBody(event);
      const declared = Number(header(event, 'content-length') ?? '0');
      const limit = format.maxBodyBytes ?? MAX_BODY_BYTES;
      if (body.length > limit || declared > limit) {
        throw new HttpError(413, 'payload_too_large', `Bodies are limited to ${limit / (1024 * 1024)} MB.`);
      }
      const delivery = await format.parse(body, event.headers ?? {});
      if (delivery.kind === 'ignored') {
        deps.log.info(delivery.reason ? 'webhook ignored: too old to apply' : 'webhook ignored: unknown event type', {
          path,
          type: delivery.type,
          ...(delivery.reason ? { reason: delivery.reason } : {}),
        });
        return jsonResponse(202, {
          outcome: 'ignored',
          type: delivery.type,
          ...(delivery.reason ? { reason: delivery.reason } : {}),
        });
      }
      const { event: cartEvent } = delivery;
      deps.log.appendKeys({
        eventId: cartEvent.eventId,
        cartId: cartEvent.kind === 'cart_changed' ? cartEvent.cart.cartId : cartEvent.match.cartId,
      });
      const result = await ingestCartEvent(cartEvent, deps);
      return jsonResponse(200, result);
    } catch (error) {
      if (error instanceof HttpError) {
        deps.log.warn('webhook refused', { path, status: error.statusCode, code: error.code, reason: error.message });
      } else {
        deps.log.error('webhook failed', { path, error: error instanceof Error ? error.stack : String(error) });
      }
      return errorResponse(error);
    }
  };
}
