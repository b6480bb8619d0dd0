import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { CartEvent } from '../../domain/cart/cart';
import { hasSavedLinkMarker } from '../../domain/cart/saved-link';
import { HttpError, parseJsonBody } from '../../http/function-url';
import { emailAddress, LIMITS, moneyField, notInFuture, parseWith, token } from './fields';
import type { Clock } from '../../ports/clock';
import type { ParsedDelivery } from '../../ports/webhook-format';

/** Our cart id for a Shopify checkout: the cart token when there is one, else the checkout token. */
export function shopifyCartId(cartToken: string | null | undefined, checkoutToken: string): string {
  return `shopify-${cartToken || checkoutToken}`;
}

const shopifyTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time' });
const shopifyAmount = z.union([z.string().trim().min(1).max(LIMITS.amount), z.number().nonnegative()]);
/** Optional free text, bounded. */
const text = (max: number) => z.string().max(max, `expected at most ${max} characters`).nullish();
/** An optional email: blank means none; anything else must be one valid address. */
const optionalEmail = z
  .string()
  .max(1024, 'expected an email address of at most 254 characters')
  .nullish()
  .transform((value) => (value?.trim() ? value : undefined))
  .pipe(emailAddress.optional());
const optionalToken = z
  .string()
  .nullish()
  .transform((value) => (value?.trim() ? value : undefined))
  .pipe(token.optional());

/** Shopify's Admin API id of an order; checkouts have none of this kind. */
const ORDER_GID = /^gid:\/\/shopify\/Order\/\d{1,20}$/;

// No bound on item counts or title lengths here: a signed big checkout is kept bounded by the intake use case
// (`domain/cart/bounds.ts`), never refused; Shopify retries refused deliveries for hours and then drops the webhook.
const lineItemSchema = z.looseObject({
  title: z.string().trim().min(1),
  variant_title: z.string().nullish(),
  quantity: z.number().int().min(1).max(LIMITS.quantity),
  price: shopifyAmount,
});

const NOT_A_CHECKOUT = 'only orders carry this field: this body is an order, not a checkout';

/**
 * Read first under a checkout topic: a body with any field only an order carries (or an order's Admin API id) is not a
 * checkout, whatever the unsigned topic header says.
 */
const notAnOrderSchema = z.looseObject({
  checkout_token: z.never({ error: NOT_A_CHECKOUT }).optional(),
  order_number: z.never({ error: NOT_A_CHECKOUT }).optional(),
  financial_status: z.never({ error: NOT_A_CHECKOUT }).optional(),
  confirmation_number: z.never({ error: NOT_A_CHECKOUT }).optional(),
  admin_graphql_api_id: z
    .unknown()
    .refine((id) => !(typeof id === 'string' && ORDER_GID.test(id)), NOT_A_CHECKOUT)
    .optional(),
});

const checkoutSchema = z.looseObject({
  token,
  cart_token: optionalToken,
  email: optionalEmail,
  updated_at: shopifyTime,
  completed_at: shopifyTime.nullish(),
  currency: z.string().length(3),
  presentment_currency: z.string().length(3).nullish(),
  total_price: shopifyAmount,
  line_items: z.array(lineItemSchema),
  abandoned_checkout_url: text(LIMITS.url),
  landing_site: text(LIMITS.url),
  buyer_accepts_marketing: z.boolean().nullish(),
  customer: z
    .looseObject({
      first_name: text(LIMITS.firstName),
      email_marketing_consent: z.looseObject({ state: text(64) }).nullish(),
    })
    .nullish(),
});

const NOT_AN_ORDER = 'expected an order id (gid://shopify/Order/...): this body is not an order';

const orderSchema = z.looseObject({
  id: z.number().int().positive(),
  admin_graphql_api_id: z.string({ error: NOT_AN_ORDER }).regex(ORDER_GID, NOT_AN_ORDER),
  checkout_token: optionalToken,
  cart_token: optionalToken,
  email: optionalEmail,
  created_at: shopifyTime,
  processed_at: shopifyTime.nullish(),
  total_price: shopifyAmount.nullish(),
  currency: z.string().length(3).nullish(),
});

/**
 * Shopify retries a failed delivery 8 times over 4 hours (shopify.dev/changelog/updates-to-webhook-retry-mechanism).
 */
export const SHOPIFY_RETRY_WINDOW_MINUTES = 4 * 60;

/**
 * Shopify's own webhooks, so a Shopify store needs no glue: checkouts/create and checkouts/update carry the cart,
 * orders/create ends the chase. Verified with X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body). The HMAC
 * covers the body only, so the unsigned topic never decides alone how a body is read: a checkout topic needs a
 * checkout body and `orders/create` an order body. Duplicates are recognised by X-Shopify-Event-Id, which Shopify
 * documents as the value shared by every delivery of one event (else X-Shopify-Webhook-Id). A delivery whose
 * X-Shopify-Triggered-At is older than Shopify's retry window (4 hours) can only be a replay: acknowledged, not
 * applied.
 */
export class ShopifyWebhook {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  parse(body: Buffer, headers: Record<string, string | undefined>): ParsedDelivery {
    this.verify(body, headers['x-shopify-hmac-sha256']);
    const eventHeader = headers['x-shopify-event-id'] ? 'x-shopify-event-id' : 'x-shopify-webhook-id';
    const rawId = headers[eventHeader];
    if (!rawId) throw new HttpError(400, 'missing_header', 'x-shopify-event-id (or x-shopify-webhook-id) is required.');
    const eventId = parseWith(token, rawId, eventHeader);
    const topic = (headers['x-shopify-topic'] ?? '').slice(0, 100);
    const now = this.clock.now();
    const triggeredAt = headers['x-shopify-triggered-at'];
    if (triggeredAt !== undefined) {
      const at = parseWith(shopifyTime, triggeredAt.trim(), 'x-shopify-triggered-at');
      if (Date.parse(at) < now.getTime() - SHOPIFY_RETRY_WINDOW_MINUTES * 60_000) {
        return {
          kind: 'ignored',
          type: topic || '(no topic)',
          reason: "triggered more than 4 hours ago, past Shopify's retry window",
        };
      }
    }
    switch (topic) {
      case 'checkouts/create':
      case 'checkouts/update': {
        const json = parseJsonBody(body);
        parseWith(notAnOrderSchema, json);
        return { kind: 'event', event: checkoutEvent(parseWith(checkoutSchema, json), eventId, now) };
      }
      case 'orders/create':
        return { kind: 'event', event: orderEvent(parseWith(orderSchema, parseJsonBody(body)), eventId, now) };
      default:
        return { kind: 'ignored', type: topic || '(no topic)' };
    }
  }

  private verify(body: Buffer, given: string | undefined): void {
    if (!given) throw new HttpError(401, 'missing_signature', 'x-shopify-hmac-sha256 is required.');
    const expected = createHmac('sha256', this.secret).update(body).digest();
    const received = Buffer.from(given, 'base64');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new HttpError(401, 'bad_signature', 'The signature does not match the body.');
    }
  }
}

function checkoutEvent(checkout: z.output<typeof checkoutSchema>, webhookId: string, now: Date): CartEvent {
  const cartId = shopifyCartId(checkout.cart_token, checkout.token);
  // A checkout's amounts are in the currency the shopper saw (its presentment currency); `currency` is the shop's
  // (Shopify's multi-currency migration guide). Orders differ: their plain amounts stay in the shop currency.
  const currency = checkout.presentment_currency ?? checkout.currency;
  // A completed checkout is an order; treat it as one so a missed orders/create still stops the chase.
  if (checkout.completed_at) {
    return {
      kind: 'checked_out',
      eventId: webhookId,
      occurredAt: notInFuture(new Date(checkout.completed_at), now, 'completed_at'),
      source: 'shopify',
      match: { checkoutToken: checkout.token, cartId, email: checkout.email },
      orderTotal: moneyField(checkout.total_price, currency, 'total_price'),
    };
  }
  const consent = checkout.customer?.email_marketing_consent?.state;
  return {
    kind: 'cart_changed',
    eventId: webhookId,
    occurredAt: notInFuture(new Date(checkout.updated_at), now, 'updated_at'),
    source: 'shopify',
    cart: {
      cartId,
      source: 'shopify',
      email: checkout.email,
      firstName: checkout.customer?.first_name?.trim() || undefined,
      items: checkout.line_items.map((item, index) => ({
        title: item.variant_title ? `${item.title} (${item.variant_title})` : item.title,
        quantity: item.quantity,
        unitPrice: moneyField(item.price, currency, `line_items.${index}.price`).minor,
      })),
      total: moneyField(checkout.total_price, currency, 'total_price'),
      returnUrl: httpsUrl(checkout.abandoned_checkout_url),
      savedLink: hasSavedLinkMarker(checkout.landing_site) || hasSavedLinkMarker(checkout.abandoned_checkout_url),
      marketingConsent:
        consent === 'subscribed' ? true : consent ? false : (checkout.buyer_accepts_marketing ?? undefined),
      checkoutToken: checkout.token,
    },
  };
}

function orderEvent(order: z.output<typeof orderSchema>, webhookId: string, now: Date): CartEvent {
  const timeField = order.processed_at ? 'processed_at' : 'created_at';
  // Both times are the storefront's word; neither may be ahead of our clock.
  notInFuture(new Date(order.created_at), now, 'created_at');
  return {
    kind: 'checked_out',
    eventId: webhookId,
    occurredAt: notInFuture(new Date(order.processed_at ?? order.created_at), now, timeField),
    source: 'shopify',
    match: {
      checkoutToken: order.checkout_token,
      // The id the checkout's own events use, so an order that arrives first closes that very row.
      cartId:
        order.cart_token || order.checkout_token
          ? shopifyCartId(order.cart_token, order.checkout_token ?? '')
          : undefined,
      email: order.email,
    },
    orderTotal:
      order.total_price != null && order.currency
        ? moneyField(order.total_price, order.currency, 'total_price')
        : undefined,
  };
}

/** The return link, when it is an https URL that parses; anything else is not offered to the shopper. */
function httpsUrl(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && /^https:\/\//i.test(trimmed) && URL.canParse(trimmed) ? trimmed : undefined;
}
