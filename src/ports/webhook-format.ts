import type { CartEvent } from '../domain/cart/cart';

/** A verified, parsed delivery: a cart event, or an event type we do not act on. */
export type ParsedDelivery =
  | { kind: 'event'; event: CartEvent }
  /** Acknowledged, not applied: an event type we do not act on, or (with `reason`) a delivery too old to apply. */
  | { kind: 'ignored'; type: string; reason?: string };

/**
 * A storefront's webhook format: verifies a delivery's signature and turns its body into a cart event. Refusals are
 * thrown as `HttpError`s that name the header or field at fault.
 */
export interface WebhookFormat {
  /**
   * The largest body this format reads, when it is not the intake's default: a format that verifies the signature on
   * the raw bytes before reading them (Stripe) never refuses a genuine delivery for its size.
   */
  readonly maxBodyBytes?: number;
  /** Synchronous for a format that holds its secret; a promise for one that reads it on first use. */
  parse(body: Buffer, headers: Record<string, string | undefined>): ParsedDelivery | Promise<ParsedDelivery>;
}
