import type Stripe from 'stripe';
import type { StripeCheckoutApi, StripeLineItem } from '../../ports/stripe-checkout';

/** How the official client is pointed and bounded; built in a composition root (`src/composition/aws/policy.ts`). */
export interface StripeClientOptions {
  /** Per-request timeout, milliseconds. */
  readonly timeoutMs: number;
  /** Retries after the first attempt (the client backs off and retries connection errors, 409s, 429s and 5xx). */
  readonly maxNetworkRetries: number;
  /** A stand-in of Stripe's API (the local system, tests): its host, port and protocol. Absent: api.stripe.com. */
  readonly endpoint?: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' };
}

/** Stripe's API through the official `stripe` client, read with the store's restricted key. */
export class StripeCheckoutClient implements StripeCheckoutApi {
  private client: Promise<Stripe> | undefined;

  constructor(
    private readonly restrictedKey: string,
    private readonly options: StripeClientOptions,
  ) {}

  /** Made on first use: the package is loaded only by a container that reads Stripe. */
  private stripe(): Promise<Stripe> {
    return (this.client ??= import('stripe').then(({ default: StripeClient }) => this.make(StripeClient)));
  }

  private make(StripeClient: typeof Stripe): Stripe {
    const { options } = this;
    return new StripeClient(this.restrictedKey, {
      timeout: options.timeoutMs,
      maxNetworkRetries: options.maxNetworkRetries,
      // No telemetry header about earlier requests: nothing here needs it, and the stand-ins need not parse it.
      telemetry: false,
      appInfo: { name: 'cart-recovery' },
      ...(options.endpoint
        ? { host: options.endpoint.host, port: options.endpoint.port, protocol: options.endpoint.protocol }
        : {}),
    });
  }

  async lineItems(sessionId: string, limit: number): Promise<StripeLineItem[]> {
    const items: StripeLineItem[] = [];
    // Auto-pagination, 100 a page (Stripe's maximum), stopping at `limit`.
    for await (const item of (await this.stripe()).checkout.sessions.listLineItems(sessionId, {
      limit: Math.min(limit, 100),
    })) {
      const quantity = item.quantity ?? 1;
      items.push({
        title: item.description ?? item.price?.nickname ?? 'Item',
        quantity,
        // The price's unit amount when it is in the session's currency (Adaptive Pricing may convert it); else what
        // the line came to before discounts and tax, per unit.
        unitAmount:
          item.price?.unit_amount != null && item.price.currency === item.currency
            ? item.price.unit_amount
            : Math.round(item.amount_subtotal / Math.max(quantity, 1)),
      });
      if (items.length >= limit) break;
    }
    return items;
  }

  /**
   * For `npm run doctor -- --aws`: reads the newest Checkout Session and one of its line items, as intake would.
   * Resolves with that session's id (undefined when the account has no session yet); rejects with Stripe's own error
   * (`StripePermissionError` when the restricted key lacks a permission, `StripeAuthenticationError` for a bad key).
   */
  async probeLineItems(): Promise<string | undefined> {
    const stripe = await this.stripe();
    const { data } = await stripe.checkout.sessions.list({ limit: 1 });
    const session = data[0];
    if (!session) return undefined;
    await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    return session.id;
  }

  async paymentLinkUrl(paymentLinkId: string): Promise<string | undefined> {
    const link = await (await this.stripe()).paymentLinks.retrieve(paymentLinkId);
    return link.active ? link.url : undefined;
  }
}
