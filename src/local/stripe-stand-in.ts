/**
 * A loopback stand-in of the two Stripe API reads intake makes, answering the official `stripe` client (pointed here
 * with its host, port and protocol options) in Stripe's own shapes:
 *
 * - `GET /v1/checkout/sessions/{id}/line_items` (a list of `item` objects, paginated with `limit` and
 *   `starting_after`, as docs.stripe.com/api/checkout/sessions/line_items documents it);
 * - `GET /v1/payment_links/{id}`;
 * - `GET /v1/checkout/sessions` (ids and `object` only: what `npm run doctor -- --aws` lists).
 *
 * What it answers is registered through `POST /_local/stripe/sessions/{id}/line_items` (a JSON array of Stripe line
 * items) and `POST /_local/stripe/payment_links/{id}` (a Payment Link object), so `npm run demo -- --stripe` can play
 * a shop's sessions. `POST /_local/stripe/fail?status=500` makes every read fail until
 * `POST /_local/stripe/fail?status=0`.
 */
import { errorResponse, type FunctionUrlHandler, HttpError, jsonResponse, rawBody } from '../http/function-url';

/** What a Stripe line item looks like on the wire (the fields the stand-in needs to be given; Stripe's own shape). */
export type StripeLineItemJson = Record<string, unknown> & { readonly id: string };

export class StripeStandIn {
  private readonly lineItems = new Map<string, StripeLineItemJson[]>();
  private readonly paymentLinks = new Map<string, Record<string, unknown>>();
  /** 0: answer; otherwise every API read answers this status with Stripe's error body. */
  failWith = 0;
  /** Each API read waits this long before answering (a slow Stripe, for timeout tests). */
  delayMs = 0;
  /** API reads answered (or failed), for tests. */
  readonly requests: string[] = [];

  setLineItems(sessionId: string, items: StripeLineItemJson[]): void {
    this.lineItems.set(sessionId, items);
  }

  setPaymentLink(link: Record<string, unknown> & { readonly id: string }): void {
    this.paymentLinks.set(link.id, link);
  }

  /** Serves `/v1/...` (the API) and `/_local/stripe/...` (its controls). */
  readonly handler: FunctionUrlHandler = async (event) => {
    try {
      const path = event.rawPath;
      const method = event.requestContext.http.method;
      if (path.startsWith('/_local/stripe/') && method === 'POST')
        return this.control(path, event.queryStringParameters ?? {}, rawBody(event));
      if (!path.startsWith('/v1/') || method !== 'GET')
        throw new HttpError(404, 'not_found', `The Stripe stand-in serves GET ${path} no more than Stripe does.`);
      this.requests.push(path);
      if (this.delayMs) await new Promise((done) => setTimeout(done, this.delayMs));
      if (this.failWith === 403)
        return stripeError(
          403,
          'invalid_request_error',
          "The provided key 'rk_test_***' does not have the required permissions for this endpoint.",
        );
      if (this.failWith) return stripeError(this.failWith, 'api_error', 'The stand-in was told to fail.');
      if (path === '/v1/checkout/sessions') {
        const ids = [...this.lineItems.keys()]
          .reverse()
          .slice(0, Number(event.queryStringParameters?.limit ?? 10) || 10);
        return jsonResponse(200, {
          object: 'list',
          data: ids.map((id) => ({ id, object: 'checkout.session' })),
          has_more: false,
          url: '/v1/checkout/sessions',
        });
      }
      const lines = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(path);
      if (lines?.[1]) return this.listLineItems(decodeURIComponent(lines[1]), event.queryStringParameters ?? {});
      const link = /^\/v1\/payment_links\/([^/]+)$/.exec(path);
      const found = link?.[1] ? this.paymentLinks.get(decodeURIComponent(link[1])) : undefined;
      if (found) return jsonResponse(200, found);
      return stripeError(404, 'invalid_request_error', `No such resource: '${path}'`, 'resource_missing');
    } catch (error) {
      return errorResponse(error);
    }
  };

  private listLineItems(sessionId: string, query: Record<string, string | undefined>) {
    const items = this.lineItems.get(sessionId);
    if (!items)
      return stripeError(404, 'invalid_request_error', `No such checkout.session: '${sessionId}'`, 'resource_missing');
    const limit = Math.min(Math.max(Number(query.limit ?? 10) || 10, 1), 100);
    const after = query.starting_after;
    const start = after ? items.findIndex((item) => item.id === after) + 1 : 0;
    const page = items.slice(start, start + limit);
    return jsonResponse(200, {
      object: 'list',
      data: page,
      has_more: start + limit < items.length,
      url: `/v1/checkout/sessions/${sessionId}/line_items`,
    });
  }

  private control(path: string, query: Record<string, string | undefined>, body: Buffer) {
    if (path === '/_local/stripe/fail') {
      this.failWith = Number(query.status ?? 500) || 0;
      return jsonResponse(200, { failWith: this.failWith });
    }
    const json = body.length ? (JSON.parse(body.toString('utf8')) as unknown) : undefined;
    const lines = /^\/_local\/stripe\/sessions\/([^/]+)\/line_items$/.exec(path);
    if (lines?.[1] && Array.isArray(json)) {
      this.setLineItems(decodeURIComponent(lines[1]), json as StripeLineItemJson[]);
      return jsonResponse(200, { sessionId: lines[1], items: json.length });
    }
    const link = /^\/_local\/stripe\/payment_links\/([^/]+)$/.exec(path);
    if (link?.[1] && json && typeof json === 'object') {
      this.setPaymentLink({ ...(json as Record<string, unknown>), id: decodeURIComponent(link[1]) });
      return jsonResponse(200, { paymentLinkId: link[1] });
    }
    throw new HttpError(
      400,
      'invalid_request',
      'POST /_local/stripe/sessions/{id}/line_items with a JSON array, /_local/stripe/payment_links/{id} with an ' +
        'object, or /_local/stripe/fail?status=500',
    );
  }
}

/** Stripe's error body (docs.stripe.com/api/errors). */
function stripeError(status: number, type: string, message: string, code?: string) {
  return jsonResponse(status, { error: { type, message, ...(code ? { code } : {}) } });
}
