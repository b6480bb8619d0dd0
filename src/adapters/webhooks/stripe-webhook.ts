import { cutTitle } from '../../domain/cart/bounds';
import * as z from 'zod';
import type { CartItem, CartSnapshot } from '../../domain/cart/cart';
import { normaliseCurrency, type Money } from '../../domain/cart/money';
import { HttpError, parseJsonBody } from '../../http/function-url';
import type { Clock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import type { StripeCheckoutApi, StripeLineItem } from '../../ports/stripe-checkout';
import type { ParsedDelivery } from '../../ports/webhook-format';
import { emailAddress, LIMITS, parseWith, token } from './fields';

/** The Checkout Session events we act on; every other event type is acknowledged and ignored. */
export const STRIPE_EVENT_TYPES = {
  expired: 'checkout.session.expired',
  completed: 'checkout.session.completed',
  asyncPaymentSucceeded: 'checkout.session.async_payment_succeeded',
} as const;

/**
 * Stripe's default signature tolerance (its libraries' DEFAULT_TOLERANCE): a signed timestamp older than this is a
 * replay.
 */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Function URLs take requests up to 6 MB; a Stripe event is verified on its raw bytes before anything reads it, so a
 * genuine event is never refused for its size (only the fields we keep are bounded, see {@link fitLineItems}).
 */
export const STRIPE_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Our cart id for a Checkout Session. A session recovered from an expired one is the same cart (`recovered_from`). */
export function stripeCartId(sessionId: string): string {
  return `stripe-${sessionId}`;
}

/** The event envelope: what makes a body a Stripe event at all. Anything else signed with the secret is a 400. */
const envelopeSchema = z.looseObject({
  id: token,
  object: z.literal('event'),
  type: z.string().min(1).max(100),
  created: z.number().int().nonnegative(),
  data: z.looseObject({ object: z.looseObject({}) }),
});

/**
 * A Checkout Session as its events carry it (docs.stripe.com/api/checkout/sessions/object). Read leniently: every
 * field we do not need may be anything, and every field we do need falls back to "not known" rather than refusing a
 * genuine event (a 4xx would only make Stripe retry the same body for three days).
 */
const sessionSchema = z.looseObject({
  id: token,
  object: z.literal('checkout.session'),
  created: z.number().int().nonnegative(),
  mode: z.string().nullish().catch(undefined),
  amount_total: z.number().int().nonnegative().nullish().catch(undefined),
  currency: z.string().max(8).nullish().catch(undefined),
  recovered_from: token.nullish().catch(undefined),
  payment_link: z
    .union([token, z.looseObject({ id: token })])
    .nullish()
    .catch(undefined),
  customer_email: z.string().max(1024).nullish().catch(undefined),
  customer_details: z
    .looseObject({
      email: z.string().max(1024).nullish().catch(undefined),
      name: z.string().max(1024).nullish().catch(undefined),
    })
    .nullish()
    .catch(undefined),
  consent: z
    .looseObject({ promotions: z.string().max(64).nullish().catch(undefined) })
    .nullish()
    .catch(undefined),
  after_expiration: z
    .looseObject({
      recovery: z
        .looseObject({ url: z.string().max(LIMITS.url).nullish().catch(undefined) })
        .nullish()
        .catch(undefined),
    })
    .nullish()
    .catch(undefined),
});
type Session = z.output<typeof sessionSchema>;

export interface StripeWebhookOptions {
  /** The endpoint's signing secret, `whsec_...`. */
  readonly secret: string;
  /** The carts' clock: event times are never taken as later than it. */
  readonly clock: Clock;
  /**
   * The clock the signature's 300-second window is checked against: the wall clock in production and on the laptop
   * (the window is about transport, not about carts), a test clock in tests.
   */
  readonly signatureClock: Clock;
  /** Stripe's API, for the line items and Payment Link URLs the events do not carry. */
  readonly api: StripeCheckoutApi;
  readonly log: Log;
}

/**
 * Stripe Checkout and Payment Links: `checkout.session.expired` is an abandoned cart (the session is the cart, its
 * creation its last change, its recovery URL the way back), `checkout.session.completed` and
 * `checkout.session.async_payment_succeeded` end the chase. Verified with the official `stripe` package on the raw
 * bytes before anything is parsed; duplicates are recognised by the event id, which every delivery of one event
 * shares. Strict about the signature, lenient about a signed body: a genuine event is never refused for its size or
 * for an odd field (an unusable email is no email; an event we cannot use is acknowledged with a reason and logged).
 */
export class StripeCheckoutWebhook {
  /**
   * A Stripe event is verified before it is read, so it sets its own size bound (the handler's is for unsigned reads).
   */
  readonly maxBodyBytes = STRIPE_MAX_BODY_BYTES;

  constructor(private readonly options: StripeWebhookOptions) {}

  async parse(body: Buffer, headers: Record<string, string | undefined>): Promise<ParsedDelivery> {
    const signature = headers['stripe-signature'];
    if (!signature) throw new HttpError(401, 'missing_signature', 'stripe-signature is required.');
    if ((await this.verify(body, signature)) === 'thin') {
      return this.unusable(
        'v2.core.event',
        'a thin event notification: this endpoint takes Checkout Session snapshot events',
      );
    }

    const envelope = parseWith(envelopeSchema, parseJsonBody(body));
    const type = envelope.type;
    if (
      type !== STRIPE_EVENT_TYPES.expired &&
      type !== STRIPE_EVENT_TYPES.completed &&
      type !== STRIPE_EVENT_TYPES.asyncPaymentSucceeded
    ) {
      return { kind: 'ignored', type };
    }
    const read = sessionSchema.safeParse(envelope.data.object);
    if (!read.success)
      return this.unusable(
        type,
        `data.object is not a Checkout Session (${read.error.issues[0]?.path.join('.') || 'body'})`,
      );
    const session = read.data;
    if (session.mode === 'setup') return this.unusable(type, 'a setup-mode session sells nothing');
    const total = this.totalOf(session);
    if (!total)
      return this.unusable(type, `currency ${JSON.stringify(session.currency ?? null)} is not an ISO 4217 code`);

    const now = this.options.clock.now();
    const cartId = stripeCartId(session.recovered_from ?? session.id);
    const email = this.emailOf(session);
    const eventId = envelope.id;
    if (type === STRIPE_EVENT_TYPES.expired) {
      // The two reads at once, so a slow Stripe costs the delivery one call's time budget, not two.
      const [items, returnUrl] = await Promise.all([
        email ? this.itemsOf(session, total.currency) : [],
        this.returnUrlOf(session, email !== undefined),
      ]);
      const snapshot: CartSnapshot = {
        cartId,
        source: 'stripe',
        email,
        firstName: firstNameOf(session.customer_details?.name),
        items,
        total,
        returnUrl,
        marketingConsent: consentOf(session.consent?.promotions),
      };
      // The session's creation is the cart's last change: Stripe sends nothing while the shopper is on the page.
      return {
        kind: 'event',
        event: {
          kind: 'cart_changed',
          eventId,
          occurredAt: notAfter(session.created, now),
          source: 'stripe',
          cart: snapshot,
        },
      };
    }
    // Completed (or its delayed payment succeeded): the cart was bought. A session recovered from an expired one
    // closes that one's cart; a session bought at once also leaves its own row, with its address, so a cart of the
    // same shopper delivered later (their earlier session's expiry, a day after it began) finds the purchase.
    const bought = {
      snapshot: {
        cartId,
        source: 'stripe',
        email,
        items: [],
        total,
        marketingConsent: consentOf(session.consent?.promotions),
      } satisfies CartSnapshot,
      occurredAt: notAfter(session.created, now),
    };
    return {
      kind: 'event',
      event: {
        kind: 'checked_out',
        eventId,
        occurredAt: notAfter(envelope.created, now),
        source: 'stripe',
        match: { cartId, email },
        orderTotal: total,
        // Both events of one purchase (completed, then its delayed payment) carry the same session creation.
        startedAt: notAfter(session.created, now),
        ...(session.recovered_from ? {} : { cart: bought }),
      },
    };
  }

  /** Verifies the signature on the raw bytes; `thin` for a genuine v2 thin event notification (not ours to read). */
  private async verify(body: Buffer, signature: string): Promise<'ok' | 'thin'> {
    // Loaded on the first Stripe delivery, not at cold start: a store without Stripe never pays for evaluating it.
    const { default: Stripe } = await import('stripe');
    try {
      Stripe.webhooks.constructEvent(
        body,
        signature,
        this.options.secret,
        STRIPE_TOLERANCE_SECONDS,
        undefined,
        this.options.signatureClock.now().getTime(),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        const stale = /tolerance/i.test(error.message);
        throw new HttpError(
          401,
          stale ? 'timestamp_out_of_window' : 'bad_signature',
          stale
            ? 'The stripe-signature timestamp is more than five minutes old.'
            : 'The signature does not match the body.',
        );
      }
      // The library parses the body after verifying it: a signed body that is not JSON is ours to refuse as such.
      if (error instanceof SyntaxError) throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
      // The library refuses a v2 "thin" event after verifying it; signed by Stripe, so acknowledged, not refused.
      if (error instanceof Error && /thin event/i.test(error.message)) return 'thin';
      throw error;
    }
  }

  private unusable(type: string, reason: string): ParsedDelivery {
    this.options.log.warn('stripe event not usable', { type, reason });
    return { kind: 'ignored', type, reason };
  }

  private totalOf(session: Session): Money | undefined {
    try {
      return { minor: session.amount_total ?? 0, currency: normaliseCurrency(session.currency ?? '') };
    } catch {
      return undefined;
    }
  }

  /** The address the shopper typed (`customer_details.email`), else the one the seller prefilled; a bad one is none. */
  private emailOf(session: Session): string | undefined {
    const given = session.customer_details?.email?.trim() || session.customer_email?.trim();
    if (!given) return undefined;
    const parsed = emailAddress.safeParse(given);
    if (parsed.success) return parsed.data;
    this.options.log.warn('stripe session email not usable: kept without an address', { sessionId: session.id });
    return undefined;
  }

  /** The session's items from Stripe's API; when they cannot be read, none (the reminder states the total). */
  private async itemsOf(session: Session, currency: string): Promise<CartItem[]> {
    try {
      return fitLineItems(await this.options.api.lineItems(session.id, STRIPE_ITEMS_READ));
    } catch (error) {
      this.options.log.warn('stripe line items not readable: the reminder will state the total without items', {
        sessionId: session.id,
        currency,
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  }

  /**
   * The way back: the session's recovery URL (`after_expiration.recovery.url`, a new session copying this one). A
   * Payment Link's sessions have none, so theirs is the link itself while it is active. Otherwise there is none, and
   * the cart is kept but never reminded (the sender's "no return link" skip), as Stripe gives nothing to return to.
   */
  private async returnUrlOf(session: Session, wanted: boolean): Promise<string | undefined> {
    const recovery = httpsUrl(session.after_expiration?.recovery?.url);
    if (recovery || !wanted) return recovery;
    const link = session.payment_link;
    const linkId = typeof link === 'string' ? link : link?.id;
    if (linkId) {
      try {
        const url = httpsUrl(await this.options.api.paymentLinkUrl(linkId));
        if (url) return url;
      } catch (error) {
        this.options.log.warn('stripe payment link not readable: no return link', {
          sessionId: session.id,
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      }
    }
    this.options.log.info('stripe session has no recovery URL: kept, but it cannot be reminded', {
      sessionId: session.id,
    });
    return undefined;
  }
}

/** Line items read from Stripe's API for one session (its pages hold 100); the intake keeps the first 50 of them. */
const STRIPE_ITEMS_READ = 250;

/**
 * The one place Stripe line items are sized: the first {@link STRIPE_ITEMS_READ}, titles cut as every lane's are
 * (`CART_BOUNDS`), quantities and amounts within bounds. A genuine session is never refused for its size; the intake
 * keeps the row bounded (`boundSnapshot`) and counts what it drops.
 */
export function fitLineItems(lines: readonly StripeLineItem[]): CartItem[] {
  return lines.slice(0, STRIPE_ITEMS_READ).map((line) => ({
    title: cutTitle(line.title.trim() || 'Item'),
    quantity: Math.min(Math.max(Math.trunc(line.quantity), 1), LIMITS.quantity),
    unitPrice: Math.max(Math.trunc(line.unitAmount), 0),
  }));
}

/** Stripe's `consent.promotions`: `opt_in` is consent, `opt_out` is a refusal, anything else is not known. */
function consentOf(promotions: string | null | undefined): boolean | undefined {
  return promotions === 'opt_in' ? true : promotions === 'opt_out' ? false : undefined;
}

/** "Sam Lee" greets as "Sam"; Stripe has one name field. */
function firstNameOf(name: string | null | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first.slice(0, LIMITS.firstName) : undefined;
}

/** A Stripe time (Unix seconds), never later than our clock: a signed event is not refused for a skewed time. */
function notAfter(unixSeconds: number, now: Date): Date {
  return new Date(Math.min(unixSeconds * 1000, now.getTime()));
}

function httpsUrl(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && /^https:\/\//i.test(trimmed) && URL.canParse(trimmed) ? trimmed : undefined;
}
