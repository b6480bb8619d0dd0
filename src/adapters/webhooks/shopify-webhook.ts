import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { CartEvent } from '../../domain/cart/cart';
import { normaliseEmail } from '../../domain/cart/cart';
import { hasSavedLinkMarker } from '../../domain/cart/saved-link';
import { HttpError, parseJsonBody } from '../../http/function-url';
import { moneyField, parseWith } from './fields';
import type { ParsedDelivery } from '../../ports/webhook-format';

/** Our cart id for a Shopify checkout: the cart token when there is one, else the checkout token. */
export function shopifyCartId(cartToken: string | null | undefined, checkoutToken: string): string {
  return `shopify-${cartToken || checkoutToken}`;
}

const shopifyTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time' });
const shopifyAmount = z.union([z.string().trim().min(1), z.number().nonnegative()]);
const nullableText = z.string().nullish();

const lineItemSchema = z.looseObject({
  title: z.string().trim().min(1).max(300),
  variant_title: nullableText,
  quantity: z.number().int().min(1),
  price: shopifyAmount,
});

const checkoutSchema = z.looseObject({
  token: z.string().trim().min(1).max(128),
  cart_token: nullableText,
  email: nullableText,
  updated_at: shopifyTime,
  completed_at: shopifyTime.nullish(),
  currency: z.string().length(3),
  presentment_currency: z.string().length(3).nullish(),
  total_price: shopifyAmount,
  line_items: z.array(lineItemSchema).max(500),
  abandoned_checkout_url: nullableText,
  landing_site: nullableText,
  buyer_accepts_marketing: z.boolean().nullish(),
  customer: z
    .looseObject({
      first_name: nullableText,
      email_marketing_consent: z.looseObject({ state: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

const orderSchema = z.looseObject({
  checkout_token: nullableText,
  cart_token: nullableText,
  email: nullableText,
  created_at: shopifyTime,
  processed_at: shopifyTime.nullish(),
  total_price: shopifyAmount.nullish(),
  currency: z.string().length(3).nullish(),
});

/**
 * Shopify's own webhooks, so a Shopify store needs no glue: checkouts/create and checkouts/update carry the cart,
 * orders/create ends the chase. Verified with X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body) and
 * deduplicated on X-Shopify-Webhook-Id, which stays the same across Shopify's retries. There is no timestamp window:
 * Shopify retries the original payload for up to four hours, and event order comes from `updated_at` instead.
 */
export class ShopifyWebhook {
  constructor(private readonly secret: string) {}

  parse(body: Buffer, headers: Record<string, string | undefined>): ParsedDelivery {
    this.verify(body, headers['x-shopify-hmac-sha256']);
    const webhookId = headers['x-shopify-webhook-id'];
    if (!webhookId) throw new HttpError(400, 'missing_header', 'x-shopify-webhook-id is required.');
    const topic = headers['x-shopify-topic'] ?? '';
    const json = parseJsonBody(body);
    switch (topic) {
      case 'checkouts/create':
      case 'checkouts/update':
        return { kind: 'event', event: checkoutEvent(parseWith(checkoutSchema, json), webhookId) };
      case 'orders/create':
        return { kind: 'event', event: orderEvent(parseWith(orderSchema, json), webhookId) };
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

function checkoutEvent(checkout: z.output<typeof checkoutSchema>, webhookId: string): CartEvent {
  const cartId = shopifyCartId(checkout.cart_token, checkout.token);
  // A completed checkout is an order; treat it as one so a missed orders/create still stops the chase.
  if (checkout.completed_at) {
    return {
      kind: 'checked_out',
      eventId: webhookId,
      occurredAt: new Date(checkout.completed_at),
      source: 'shopify',
      match: { checkoutToken: checkout.token, cartId, email: normaliseEmail(checkout.email) },
      orderTotal: moneyField(checkout.total_price, checkout.currency, 'total_price'),
    };
  }
  const consent = checkout.customer?.email_marketing_consent?.state;
  return {
    kind: 'cart_changed',
    eventId: webhookId,
    occurredAt: new Date(checkout.updated_at),
    source: 'shopify',
    cart: {
      cartId,
      source: 'shopify',
      email: normaliseEmail(checkout.email),
      firstName: checkout.customer?.first_name?.trim() || undefined,
      items: checkout.line_items.map((item, index) => ({
        title: item.variant_title ? `${item.title} (${item.variant_title})` : item.title,
        quantity: item.quantity,
        unitPrice: moneyField(item.price, checkout.currency, `line_items.${index}.price`).minor,
      })),
      total: moneyField(checkout.total_price, checkout.currency, 'total_price'),
      returnUrl: checkout.abandoned_checkout_url?.startsWith('https://') ? checkout.abandoned_checkout_url : undefined,
      savedLink: hasSavedLinkMarker(checkout.landing_site) || hasSavedLinkMarker(checkout.abandoned_checkout_url),
      marketingConsent:
        consent === 'subscribed' ? true : consent ? false : (checkout.buyer_accepts_marketing ?? undefined),
      checkoutToken: checkout.token,
    },
  };
}

function orderEvent(order: z.output<typeof orderSchema>, webhookId: string): CartEvent {
  return {
    kind: 'checked_out',
    eventId: webhookId,
    occurredAt: new Date(order.processed_at ?? order.created_at),
    source: 'shopify',
    match: {
      checkoutToken: order.checkout_token ?? undefined,
      cartId: order.cart_token ? shopifyCartId(order.cart_token, '') : undefined,
      email: normaliseEmail(order.email),
    },
    orderTotal:
      order.total_price != null && order.currency ? moneyField(order.total_price, order.currency, 'total_price') : undefined,
  };
}
