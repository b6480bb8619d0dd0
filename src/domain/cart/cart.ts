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
export type CartSource = 'generic' | 'shopify' | 'sheet' | 'stripe';

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
  /**
   * Line items the cart has beyond `items`: a big cart is kept bounded (the first items, `domain/cart/bounds.ts`) and
   * its emails say "and K more". Absent when every item is in `items`.
   */
  readonly moreItems?: number;
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
  /**
   * Event id (webhook-id / X-Shopify-Event-Id, else X-Shopify-Webhook-Id); identical across redeliveries of one event.
   */
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
  /**
   * What the bought cart itself looked like, when the order is the only event its cart will ever send (a Stripe
   * Checkout Session paid at once): merged into the closed row after the order, so the row carries the shopper's
   * address and a later-delivered cart of theirs can find the purchase.
   */
  readonly cart?: { readonly snapshot: CartSnapshot; readonly occurredAt: Date };
  /**
   * When the buying began, when the storefront says (a Stripe Checkout Session's creation): the same for every event
   * of one purchase (completed, its delayed payment succeeding), unlike their times.
   */
  readonly startedAt?: Date;
}

/** A storefront event normalised into our vocabulary. */
export type CartEvent = CartChangedEvent | CheckedOutEvent;

/**
 * A cart as stored in cr-carts: the cart merged from every event heard of (see `merge.ts`) plus the chase state.
 * Each optional snapshot field carries the key of the event it came from (`emailKey`, ...), so an older event can
 * still fill a field the newer ones left out, and never overwrite one they carried.
 */
export interface CartRow extends CartSnapshot, FieldKeys {
  readonly status: CartStatus;
  /**
   * Ordering key of the newest change event merged: ISO time + '#' + event id. Empty on a row only an order has
   * created so far (every change event is newer than that).
   */
  readonly eventKey: string;
  /** The earliest event time heard of for this cart (changes and orders). */
  readonly firstSeenAt: string;
  /** Event time of the newest change (ISO, UTC); the order's time on a row only an order created. */
  readonly lastChangedAt: string;
  /** Reminders the waiter handed to the sender (the cap counts these); not all of them reached the shopper. */
  readonly remindersSent: number;
  /** When the waiter last handed a reminder off (the timing anchor). */
  readonly lastReminderAt?: string;
  /** When SES accepted the first reminder: written by the sender (or SES's SEND event), once. */
  readonly firstSentAt?: string;
  /** When SES accepted the second reminder. */
  readonly secondSentAt?: string;
  /**
   * How the sender ended a handed-off first reminder that did not reach the shopper through SES's accept (that is
   * `firstSentAt`): returned to the waiter (the shopper changed the cart after the hand-off), skipped, or sent in test
   * mode to the owner. Written by the sender for the hand-off it names; the waiter times the next step from it.
   */
  readonly firstOutcome?: ReminderOutcome;
  /** The same for the second reminder. */
  readonly secondOutcome?: ReminderOutcome;
  /**
   * The cart's place in the owner's hold-back comparison, set once at its first reminder while a hold-back is on:
   * `held_back` (no reminder, from `at`) or `reminded` (its first reminder was sent at `at`).
   */
  readonly holdBack?: { readonly group: 'held_back' | 'reminded'; readonly at: string };
  /**
   * When the pending wake-up fires (ISO), once the waiter has made a move. Before that the first wake-up (seq 1) is
   * pending whenever `wakeSeq` is 1 on an open row: it fires at the earliest moment the cart could be due, which
   * depends on arrival order, so it is kept on the schedule only, not on the row.
   */
  readonly wakeUpAt?: string;
  /** Sequence number of the pending wake-up; a wake-up carrying another number is stale. */
  readonly wakeSeq?: number;
  /**
   * Every address the cart's change events have carried (up to `EMAILS_SEEN_CAP`), whichever is newest: an order that
   * names no email stops the shopper's other carts under each of them, so it does not matter which arrived first.
   */
  readonly emailsSeen?: ReadonlySet<string>;
  /** Key of the earliest change event that carried an email: the cart became remindable (counted once). */
  readonly wakeUpSetBy?: string;
  /** Key of the earliest change event; absent on rows only heard of through their order. */
  readonly createdBy?: string;
  readonly checkedOutAt?: string;
  readonly orderTotal?: Money;
  /** The earliest `startedAt` of the orders for this cart (Stripe): when the purchase began. */
  readonly orderStartedAt?: string;
  /** Key of the order that checked the cart out (the earliest, when several say so). */
  readonly checkoutKey?: string;
  /** The email the order named, when it named one. */
  readonly orderEmail?: string;
  /**
   * Some order for this cart named no email (sticky), so an address the cart's events bring later stops the shopper's
   * other carts too, whichever order the row keeps.
   */
  readonly orderWithoutEmail?: true;
  /** Write counter: every write adds one; merges are conditioned on the value they read. */
  readonly rev?: number;
  /** Why the chase ended, for `stopped`, `given_up` and `checked_out`. */
  readonly stopReason?: string;
  /** Who stopped a `stopped` cart. An owner's stop is lifted when its line leaves the rules doc. */
  readonly stoppedBy?: StoppedBy;
  /** The waiter's last move, so a retried wake-up can finish side effects a crash cut short. */
  readonly lastMove?: LastMove;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
}

/**
 * The sender's verdict on one hand-off, when it was not a send to the shopper (`firstSentAt`/`secondSentAt` say that):
 * - `returned`: the shopper changed the cart after the hand-off, so at release the sender sent nothing and gave the
 *   cart back to the waiter, which times the reminder from the change (not counted as a reminder);
 * - `skipped`: a gate said no (do-not-disturb, consent, hold-back, ...): no email, and none will follow for this step;
 * - `test_sent`: sent in test mode, to the owner: the chase is timed from it as from a real send, but it recovers
 *   nothing and the shopper's do-not-disturb window is untouched.
 */
export interface ReminderOutcome {
  readonly outcome: 'returned' | 'skipped' | 'test_sent';
  /** When the sender decided (for `test_sent`: when SES accepted the test email). */
  readonly at: string;
  /**
   * The hand-off this answers (the row's `lastReminderAt` then); a later hand-off of the same step is not answered by
   * it.
   */
  readonly handOffAt: string;
  /** The skip reason code, `test`, or `still_shopping`. */
  readonly reason: string;
}

/** The optional snapshot fields, each merged on its own: the newest event that carries it wins. */
/**
 * At most this many addresses are kept in `emailsSeen` (the smallest, so the set is the same whatever the order). A
 * real shopper corrects an address once or twice; the cap only bounds the row against a storefront gone wrong.
 */
export const EMAILS_SEEN_CAP = 8;

/**
 * How far ahead of our clock an event's time may be, on every lane (webhooks and the export sheet). Storefront clocks
 * drift a little, never hours; an event dated far ahead would stay the cart's "newest" and freeze it.
 */
export const FUTURE_SKEW_MINUTES = 5;

export const MERGED_FIELDS = [
  'email',
  'firstName',
  'returnUrl',
  'timeZone',
  'marketingConsent',
  'checkoutToken',
  'savedLink',
] as const;
export type MergedField = (typeof MERGED_FIELDS)[number];

/** `<field>Key`: the key of the event a merged field's value came from. */
export type FieldKeys = { readonly [F in MergedField as `${F}Key`]?: string };

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
