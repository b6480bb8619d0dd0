import type { Money } from './money';

/** One line of a cart as the shopper saw it. Prices are minor units of the cart's currency. */
export interface CartItem {
  readonly title: string;
  readonly quantity: number;
  /** Price of one unit, in minor units of the cart currency. */
  readonly unitPrice: number;
  readonly imageUrl?: string;
  readonly productUrl?: string;
}

/** Where a cart event came from. */
export type CartSource = 'generic' | 'shopify' | 'sheet';

/**
 * Lifecycle of a cart row. `open` carts may be reminded; every other status is final for the chase:
 * - `checked_out`: the shopper bought this cart;
 * - `given_up`: two reminders went out and the give-up point passed;
 * - `stopped`: the shopper unsubscribed, the owner stopped it, or the shopper bought through another cart.
 */
export type CartStatus = 'open' | 'checked_out' | 'given_up' | 'stopped';

/** What one cart-change event says the cart looks like now. */
export interface CartSnapshot {
  readonly cartId: string;
  readonly source: CartSource;
  /** Trimmed and lower-cased; absent for guest carts that have not given one yet. */
  readonly email?: string;
  readonly firstName?: string;
  readonly items: readonly CartItem[];
  readonly total: Money;
  /** Link straight back to the filled cart. */
  readonly returnUrl?: string;
  /** IANA zone of the shopper when the storefront knows it. */
  readonly timeZone?: string;
  /** The cart started from a link the shopper saved/emailed to themselves. */
  readonly savedLink?: boolean;
  /** true/false when the storefront asked; absent when unknown. */
  readonly marketingConsent?: boolean;
  /** Storefront checkout token (Shopify), used to match orders to carts. */
  readonly checkoutToken?: string;
}

/** Identifies which cart an order belongs to; matched in this order: checkout token, cart id, email. */
export interface CheckoutMatch {
  readonly checkoutToken?: string;
  readonly cartId?: string;
  readonly email?: string;
}

interface EventBase {
  /** Delivery id (webhook-id / X-Shopify-Webhook-Id); identical across retries of one delivery. */
  readonly eventId: string;
  /** When the storefront says the change happened. Orders events; not when we received it. */
  readonly occurredAt: Date;
  readonly source: CartSource;
}

/** The shopper changed the cart (items, email, anything). */
export interface CartChangedEvent extends EventBase {
  readonly kind: 'cart_changed';
  readonly cart: CartSnapshot;
}

/** The shopper bought. Final: no later change event can reopen the cart. */
export interface CheckedOutEvent extends EventBase {
  readonly kind: 'checked_out';
  readonly match: CheckoutMatch;
  /** What the order was worth, when the storefront says. */
  readonly orderTotal?: Money;
}

/** A storefront event normalised into our vocabulary. */
export type CartEvent = CartChangedEvent | CheckedOutEvent;

/** A cart as stored in cr-carts: the newest snapshot plus the chase state. */
export interface CartRow extends CartSnapshot {
  readonly status: CartStatus;
  /** Ordering key of the newest event applied: ISO time + '#' + event id. */
  readonly eventKey: string;
  readonly firstSeenAt: string;
  /** Event time of the newest change (ISO, UTC). */
  readonly lastChangedAt: string;
  readonly remindersSent: number;
  readonly lastReminderAt?: string;
  /** When the pending wake-up fires (ISO); absent when none is pending. */
  readonly wakeUpAt?: string;
  /** Sequence number of the pending wake-up; a wake-up carrying another number is stale. */
  readonly wakeSeq?: number;
  /** Event key of the change that created the first wake-up (lets a retried delivery re-ensure it). */
  readonly wakeUpSetBy?: string;
  /** Event key of the change that created the row; absent on rows first heard of through their order. */
  readonly createdBy?: string;
  readonly checkedOutAt?: string;
  readonly orderTotal?: Money;
  /** Why the chase ended, for `stopped`, `given_up` and `checked_out`. */
  readonly stopReason?: string;
  /** Who stopped a `stopped` cart. An owner's stop is lifted when its line leaves the rules doc. */
  readonly stoppedBy?: StoppedBy;
  /** The waiter's last move, so a retried wake-up can finish side effects a crash cut short. */
  readonly lastMove?: LastMove;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
}

/** Who ended a chase early: the shopper (unsubscribe), the owner (rules doc or operator), or an order of theirs. */
export type StoppedBy = 'shopper' | 'owner' | 'order';

/** What the waiter did at wake-up `seq`. */
export interface LastMove {
  readonly seq: number;
  readonly move: string;
  readonly step?: 'first' | 'second';
  readonly at: string;
}

/**
 * Orders events: time first, then delivery id so two events in the same millisecond still have one order
 * and a redelivery of the same event compares equal (and is therefore never applied twice).
 */
export function eventKey(occurredAt: Date, eventId: string): string {
  return `${occurredAt.toISOString()}#${eventId}`;
}

/** Trims and lower-cases an email address; returns undefined for blanks. */
export function normaliseEmail(email: string | null | undefined): string | undefined {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : undefined;
}
