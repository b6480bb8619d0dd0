import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import * as z from 'zod';
import { normaliseEmail } from '../../domain/cart/cart';
import { hasSavedLinkMarker } from '../../domain/cart/saved-link';
import { HttpError, parseJsonBody } from '../../http/function-url';
import {
  currencyCode,
  decimalAmount,
  emailAddress,
  httpUrl,
  ianaZone,
  LIMITS,
  moneyField,
  notInFuture,
  parseWith,
  token,
} from './fields';
import type { Clock } from '../../ports/clock';
import type { ParsedDelivery } from '../../ports/webhook-format';

/** Event types of our own cart webhook. Anything else is acknowledged and ignored. */
export const CART_EVENT_TYPES = { changed: 'cart.updated', checkedOut: 'cart.checked_out' } as const;

const cartId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'expected 1-128 letters, digits or . _ : @ -');

const envelopeSchema = z.object({
  type: z.string().min(1).max(100),
  timestamp: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as 2026-11-02T15:00:00Z' }),
  data: z.unknown(),
});

// No bound on item counts or title lengths here: a signed big cart is kept bounded by the intake use case
// (`domain/cart/bounds.ts`), never refused.
const itemSchema = z.object({
  title: z.string().trim().min(1),
  quantity: z.number().int().min(1).max(LIMITS.quantity),
  unitPrice: decimalAmount,
  imageUrl: httpUrl.optional(),
  productUrl: httpUrl.optional(),
});

const cartSchema = z.object({
  id: cartId,
  email: emailAddress.optional(),
  firstName: z.string().trim().min(1).max(LIMITS.firstName).optional(),
  items: z.array(itemSchema),
  total: decimalAmount,
  currency: currencyCode,
  returnUrl: httpUrl.optional(),
  landingUrl: httpUrl.optional(),
  timeZone: ianaZone.optional(),
  savedLink: z.boolean().optional(),
  marketingConsent: z.boolean().optional(),
});

const checkoutSchema = z.object({
  id: cartId,
  email: emailAddress.optional(),
  total: decimalAmount.optional(),
  currency: currencyCode.optional(),
});

/** A `cart.updated` event's `data` as a storefront sends it (before parsing: decimal amounts, any-case currency). */
export type StandardCartData = z.input<typeof cartSchema>;
/** A `cart.checked_out` event's `data` as a storefront sends it. */
export type StandardCheckoutData = z.input<typeof checkoutSchema>;

/**
 * Our own cart webhook, signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature).
 * The signature covers id, timestamp and the raw body; the timestamp must be within five minutes of the
 * receiver's wall clock (replay protection, enforced by the `standardwebhooks` library).
 */
export class StandardCartWebhook {
  private readonly verifier: Webhook;

  /**
   * @param secret the shared signing secret, `whsec_` + base64
   * @param clock the clock event times are checked against (the carts' clock; the signature's window uses the wall
   *   clock, inside the library)
   */
  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    this.verifier = new Webhook(secret);
  }

  parse(body: Buffer, headers: Record<string, string | undefined>): ParsedDelivery {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!id || !timestamp || !signature) {
      throw new HttpError(
        401,
        'missing_signature',
        'webhook-id, webhook-timestamp and webhook-signature are required.',
      );
    }
    // The id becomes part of every key the event leaves on the row: bounded before anything else.
    parseWith(token, id, 'webhook-id');
    try {
      // jsonParse off: the body is parsed below, where invalid JSON becomes a 400 rather than an escaped SyntaxError.
      this.verifier.verify(
        body,
        { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        { jsonParse: false },
      );
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        // The library says "Message timestamp too old/new" for the replay window; keep that distinction.
        const stale = /timestamp/i.test(error.message);
        throw new HttpError(
          401,
          stale ? 'timestamp_out_of_window' : 'bad_signature',
          stale ? 'webhook-timestamp is more than five minutes from now.' : 'The signature does not match the body.',
        );
      }
      throw error;
    }

    const envelope = parseWith(envelopeSchema, parseJsonBody(body));
    const occurredAt = notInFuture(new Date(envelope.timestamp), this.clock.now(), 'timestamp');
    switch (envelope.type) {
      case CART_EVENT_TYPES.changed: {
        const cart = parseWith(cartSchema, envelope.data, 'data');
        return {
          kind: 'event',
          event: {
            kind: 'cart_changed',
            eventId: id,
            occurredAt,
            source: 'generic',
            cart: {
              cartId: cart.id,
              source: 'generic',
              email: normaliseEmail(cart.email),
              firstName: cart.firstName,
              items: cart.items.map((item, index) => ({
                title: item.title,
                quantity: item.quantity,
                unitPrice: moneyField(item.unitPrice, cart.currency, `data.items.${index}.unitPrice`).minor,
                imageUrl: item.imageUrl,
                productUrl: item.productUrl,
              })),
              total: moneyField(cart.total, cart.currency, 'data.total'),
              returnUrl: cart.returnUrl,
              timeZone: cart.timeZone,
              savedLink:
                cart.savedLink === true || hasSavedLinkMarker(cart.returnUrl) || hasSavedLinkMarker(cart.landingUrl),
              marketingConsent: cart.marketingConsent,
            },
          },
        };
      }
      case CART_EVENT_TYPES.checkedOut: {
        const order = parseWith(checkoutSchema, envelope.data, 'data');
        if ((order.total === undefined) !== (order.currency === undefined)) {
          throw new HttpError(400, 'invalid_field', 'data.currency: total and currency come together.');
        }
        return {
          kind: 'event',
          event: {
            kind: 'checked_out',
            eventId: id,
            occurredAt,
            source: 'generic',
            match: { cartId: order.id, email: normaliseEmail(order.email) },
            orderTotal:
              order.total !== undefined && order.currency !== undefined
                ? moneyField(order.total, order.currency, 'data.total')
                : undefined,
          },
        };
      }
      default:
        return { kind: 'ignored', type: envelope.type };
    }
  }
}
