/** One line of a Checkout Session as Stripe lists it (GET /v1/checkout/sessions/{id}/line_items). */
export interface StripeLineItem {
  /** The product's name as the shopper saw it (Stripe's `description`). */
  readonly title: string;
  readonly quantity: number;
  /** Price of one unit, in minor units of the session's currency (Stripe's own integer amounts). */
  readonly unitAmount: number;
}

/**
 * What intake reads from Stripe's API about a Checkout Session, with the store's restricted key. Each call rejects
 * when Stripe cannot be read (after the client's own retries); the caller decides what the cart does without it.
 */
export interface StripeCheckoutApi {
  /** The session's line items, in Stripe's order; at most `limit` of them. */
  lineItems(sessionId: string, limit: number): Promise<StripeLineItem[]>;
  /**
   * The public URL of a Payment Link (`https://buy.stripe.com/...`), or undefined when the link is deactivated: a
   * Payment Link's expired sessions carry no recovery URL, and the link itself starts a new checkout of its items.
   */
  paymentLinkUrl(paymentLinkId: string): Promise<string | undefined>;
}
