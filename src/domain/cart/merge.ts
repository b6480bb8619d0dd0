/**
 * The cart merge: how one storefront event folds into a cart row. Pure; the cart store applies it with conditional
 * writes. The reference is the always-writeable shopping cart of the Dynamo paper: every replica state can absorb every
 * event, and the result does not depend on which events arrive first, twice, or together.
 *
 * The rule, field by field:
 * - **items, moreItems, total, source, lastChangedAt, eventKey**: from the newest change event (largest event key);
 * - **each optional field** (email, first name, return link, time zone, consent, checkout token, saved-link): from the
 *   newest change event that *carries* it, with that event's key kept beside it (`emailKey`, ...). An event without
 *   the field leaves it alone; an older event still fills a field no newer event carried. The saved-link marker is
 *   only ever carried as `true`, so once a cart is marked it stays marked;
 * - **firstSeenAt**: the earliest event time (changes and orders); **createdBy**: the earliest change key;
 *   **emailsSeen**: every address any change carried (the `EMAILS_SEEN_CAP` smallest: a union, so order-free);
 *   **wakeUpSetBy**: the earliest key of a change that carried an email; **wakeSeq** starts at 1 once an email is
 *   known (the first wake-up), and only the waiter moves it on;
 * - **checkout is final**: an order sets `checked_out` whatever the status was, and nothing sets a cart back to
 *   `open` (change events never touch the status; stops and opt-outs are final too and come from elsewhere). When two
 *   orders close one cart, the earliest (by key) is the one the row keeps; `orderWithoutEmail` records, for good,
 *   that some order named no email;
 * - **expiresAt**: the later of the two.
 *
 * An event is identified by its key (`<time>#<delivery id>`, see `eventKey`): two deliveries with one key are one
 * event, and the row keeps what it has. Over events with distinct keys, applying them in any order, any number of
 * times, gives the same row (commutative, associative, idempotent; test/unit/cart-merge.test.ts checks it), apart from
 * `rev`, which counts writes.
 */
import type { CartRow, CartSnapshot, CartSource, MergedField } from './cart';
import { EMAILS_SEEN_CAP, MERGED_FIELDS } from './cart';
import type { Money } from './money';

/** A change event as the merge needs it. */
export interface ChangeFacts {
  readonly snapshot: CartSnapshot;
  readonly eventKey: string;
  readonly occurredAt: Date;
  /** TTL, epoch seconds. */
  readonly expiresAt: number;
}

/** An order as the merge needs it. */
export interface CheckoutFacts {
  readonly cartId: string;
  readonly source: CartSource;
  readonly eventKey: string;
  readonly occurredAt: Date;
  readonly orderTotal?: Money;
  /** The email the order named, if any. */
  readonly orderEmail?: string;
  /** Why the chase ends, for the log and the row. */
  readonly reason: string;
  readonly expiresAt: number;
  /** The store currency, for the empty total of a cart first heard of through its order. */
  readonly storeCurrency: string;
  /** When the buying began, if the storefront says (see `CheckedOutEvent.startedAt`). */
  readonly startedAt?: Date;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const keyOf = (field: MergedField) => `${field}Key` as const;

/** The key a merged field's value is stamped with; rows written before stamps existed count as their newest event's. */
export function fieldKey(row: CartRow, field: MergedField): string | undefined {
  return row[keyOf(field)] ?? (row[field] !== undefined ? row.eventKey : undefined);
}

const minOf = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);

/** The value an event carries for a field, or undefined when it does not carry it. */
function carried(snapshot: CartSnapshot, field: MergedField): unknown {
  if (field === 'savedLink') return snapshot.savedLink === true ? true : undefined;
  return snapshot[field];
}

/** Folds one change event into a row (or creates the row). */
export function mergeChange(row: CartRow | undefined, change: ChangeFacts): CartRow {
  const { snapshot, eventKey: key } = change;
  const at = change.occurredAt.toISOString();
  const next: Mutable<CartRow> = row
    ? { ...row }
    : {
        cartId: snapshot.cartId,
        source: snapshot.source,
        items: [],
        total: snapshot.total,
        eventKey: '',
        lastChangedAt: at,
        firstSeenAt: at,
        status: 'open',
        remindersSent: 0,
        expiresAt: change.expiresAt,
      };
  if (key > next.eventKey) {
    next.source = snapshot.source;
    next.items = snapshot.items;
    // Counted beside the items of the same event: a cart kept bounded says how many more it had.
    if (snapshot.moreItems !== undefined && snapshot.moreItems > 0) next.moreItems = snapshot.moreItems;
    else delete next.moreItems;
    next.total = snapshot.total;
    next.eventKey = key;
    next.lastChangedAt = at;
  }
  if (at < next.firstSeenAt) next.firstSeenAt = at;
  next.createdBy = minOf(row?.createdBy, key);
  const base = row ?? next;
  for (const field of MERGED_FIELDS) {
    const value = carried(snapshot, field);
    if (value === undefined) continue;
    const current = row ? fieldKey(row, field) : undefined;
    if (current === undefined || key > current) {
      (next as Record<string, unknown>)[field] = value;
      (next as Record<string, unknown>)[keyOf(field)] = key;
    } else if (base[keyOf(field)] === undefined) {
      // A row from before stamps: record the stamp the value already had.
      (next as Record<string, unknown>)[keyOf(field)] = current;
    }
  }
  if (snapshot.email !== undefined) {
    next.emailsSeen = withEmail(
      row?.emailsSeen ?? (row?.email !== undefined ? new Set([row.email]) : undefined),
      snapshot.email,
    );
    next.wakeUpSetBy = minOf(row?.wakeUpSetBy, key);
    next.wakeSeq = row?.wakeSeq ?? 1;
  }
  next.expiresAt = Math.max(next.expiresAt, change.expiresAt);
  return next;
}

/** Folds one order into a row (or creates a closed row for a cart first heard of through its order). */
export function mergeCheckout(row: CartRow | undefined, order: CheckoutFacts): CartRow {
  const key = order.eventKey;
  const at = order.occurredAt.toISOString();
  const next: Mutable<CartRow> = row
    ? { ...row }
    : {
        cartId: order.cartId,
        source: order.source,
        items: [],
        total: order.orderTotal ?? { minor: 0, currency: order.storeCurrency },
        eventKey: '',
        lastChangedAt: at,
        firstSeenAt: at,
        status: 'checked_out',
        remindersSent: 0,
        expiresAt: order.expiresAt,
      };
  // A row closed before orders carried keys keeps its checkout ('' sorts before every key).
  const current = row?.checkoutKey ?? (row?.status === 'checked_out' ? '' : undefined);
  if (current === undefined || key < current) {
    next.status = 'checked_out';
    next.checkedOutAt = at;
    next.stopReason = order.reason;
    // Checkout wins over an earlier stop; who stopped it says nothing about a bought cart (and an order arriving
    // before the stop would never have left it).
    delete next.stoppedBy;
    next.checkoutKey = key;
    setOrDelete(next, 'orderTotal', order.orderTotal);
    setOrDelete(next, 'orderEmail', order.orderEmail);
    delete next.wakeUpAt;
    if (next.eventKey === '') {
      // Only orders so far: the row's stand-in total and source follow the order it keeps.
      next.source = order.source;
      next.total = order.orderTotal ?? { minor: 0, currency: order.storeCurrency };
      next.lastChangedAt = at;
    }
  }
  if (order.orderEmail === undefined) next.orderWithoutEmail = true;
  // The earliest of every order's (a minimum, so the same whichever order arrives first).
  const started = order.startedAt?.toISOString();
  if (started !== undefined && (next.orderStartedAt === undefined || started < next.orderStartedAt))
    next.orderStartedAt = started;
  if (at < next.firstSeenAt) next.firstSeenAt = at;
  next.expiresAt = Math.max(next.expiresAt, order.expiresAt);
  return next;
}

/** The set with one more address, keeping the `EMAILS_SEEN_CAP` smallest (the same set whatever the order added). */
export function withEmail(seen: ReadonlySet<string> | undefined, email: string): ReadonlySet<string> {
  if (seen?.has(email)) return seen;
  const all = [...(seen ?? []), email].sort();
  return new Set(all.slice(0, EMAILS_SEEN_CAP));
}

/**
 * The addresses an order that names no email stops the shopper's other carts under: every one the cart carried (a row
 * from before `emailsSeen` existed has only its email).
 */
export function emailsOf(row: CartRow | undefined): string[] {
  if (row?.emailsSeen) return [...row.emailsSeen].sort();
  return row?.email !== undefined ? [row.email] : [];
}

function setOrDelete<K extends keyof CartRow>(row: Mutable<CartRow>, field: K, value: CartRow[K] | undefined): void {
  if (value === undefined) delete row[field];
  else row[field] = value;
}

/**
 * Whether a change event is one the row has already merged (a redelivery): its key is one the row keeps (the newest,
 * the earliest, or the key of a field it set).
 */
export function alreadyMerged(row: CartRow, key: string): boolean {
  return (
    row.eventKey === key ||
    row.createdBy === key ||
    row.wakeUpSetBy === key ||
    MERGED_FIELDS.some((field) => fieldKey(row, field) === key)
  );
}
