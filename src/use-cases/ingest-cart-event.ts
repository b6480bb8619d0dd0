import type { CartChangedEvent, CartEvent, CartRow, CheckedOutEvent } from '../domain/cart/cart';
import { eventKey } from '../domain/cart/cart';
import { boundSnapshot } from '../domain/cart/bounds';
import { alreadyMerged, emailsOf } from '../domain/cart/merge';
import { firstWakeUpFloor } from '../domain/cart/moves';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WakeUpScheduler } from '../ports/scheduler';
import type { RulesSource } from '../ports/owner-docs';

/**
 * What intake needs. No counters: every count its writes make true (carts seen, with an address, recovered) follows
 * from the cart row through the table's change stream (the cart counter), so intake is given none to bump.
 */
export interface IngestDeps {
  readonly carts: CartStore;
  readonly scheduler: WakeUpScheduler;
  readonly rules: RulesSource;
  readonly clock: Clock;
  readonly log: Log;
  /** Where checkouts and the stops they cause are recorded (cart changes are too frequent and say nothing new). */
  readonly activity: ActivityLog;
  /** Days a cart row is kept after its last event before DynamoDB TTL deletes it. */
  readonly retentionDays: number;
}

/**
 * What happened to one event:
 * - `applied`: the event was merged into the cart row (`wakeUpScheduled`: this event started the chase);
 * - `duplicate` / `stale`: a redelivery, or an older event whose every field newer events carried: nothing changed;
 * - `closed`: the chase on this cart has ended; the change is merged into the row but starts nothing;
 * - `checked_out`: the order ended the chase on `cartId` and stopped `alsoStopped` (same shopper's other carts);
 * - `already_checked_out`: a repeated order event;
 * - `unmatched`: an order that names no cart id and matches no known cart (nothing to stop).
 */
export type IngestResult =
  | { readonly outcome: 'applied'; readonly cartId: string; readonly wakeUpScheduled: boolean }
  | { readonly outcome: 'duplicate' | 'stale' | 'closed'; readonly cartId: string }
  | {
      readonly outcome: 'checked_out';
      readonly cartId: string;
      readonly matchedBy: string;
      readonly alsoStopped: string[];
    }
  | { readonly outcome: 'already_checked_out'; readonly cartId: string }
  | { readonly outcome: 'unmatched' };

/** The intake use case: one storefront event in, one cart row updated, at most one wake-up scheduled. */
export async function ingestCartEvent(event: CartEvent, deps: IngestDeps): Promise<IngestResult> {
  return event.kind === 'cart_changed' ? applyChange(event, deps) : checkOut(event, deps);
}

async function applyChange(event: CartChangedEvent, deps: IngestDeps): Promise<IngestResult> {
  const key = eventKey(event.occurredAt, event.eventId);
  // A big cart is kept bounded, never refused (its delivery was signed): the first items, titles cut, the rest counted.
  const { snapshot: cart, cut } = boundSnapshot(event.cart);
  if (cut)
    deps.log.warn('cart kept bounded', {
      cartId: cart.cartId,
      eventKey: key,
      itemsSent: event.cart.items.length,
      itemsKept: cart.items.length,
      ...cut,
    });
  const {
    changed,
    before,
    cart: row,
  } = await deps.carts.applyChange({
    snapshot: cart,
    eventKey: key,
    occurredAt: event.occurredAt,
    expiresAt: expiresAt(event.occurredAt, deps),
  });
  // The row write is the only DynamoDB write a change makes: the monthly cart counters follow from the table's change
  // stream (the cart counter), not from here.
  if (row.status !== 'open') {
    // The change is kept on the row, but the chase is over. An order that named no email stops the shopper's other
    // carts under every address the cart carried; an address first heard of after the order stops them now, as it
    // would have had it come first.
    const newAddress = cart.email !== undefined && !emailsOf(before).includes(cart.email);
    if (
      newAddress &&
      row.status === 'checked_out' &&
      (row.orderEmail === undefined || row.orderWithoutEmail === true)
    ) {
      await stopOtherCarts(row.cartId, [cart.email!], undefined, deps, row.checkedOutAt);
    }
    deps.log.info('cart event merged into a closed cart', { cartId: cart.cartId, eventKey: key, changed });
    return { outcome: 'closed', cartId: cart.cartId };
  }
  // The write that first made the cart remindable starts the chase: wake-up #1, at the earliest moment the merged cart
  // could be due, so whatever arrives later (older or newer) the waiter still wakes in time and times the reminder
  // from the merged row.
  const startsChase = changed && row.wakeSeq === 1 && before?.wakeSeq === undefined;
  const duplicate = !changed && alreadyMerged(row, key);
  // (At the chase's start no wake-up exists yet; otherwise the pending one is cancelled.)
  if (changed && row.source === 'stripe' && (await boughtSince(row, !startsChase, deps))) {
    deps.log.info('cart event applied to a cart its shopper has since bought elsewhere', {
      cartId: cart.cartId,
      eventKey: key,
    });
    return { outcome: 'closed', cartId: cart.cartId };
  }
  if (startsChase) {
    await scheduleFirstWakeUp(row, deps);
  } else if (duplicate && row.wakeSeq === 1 && row.lastMove === undefined) {
    // A redelivery re-ensures the first wake-up (the create is idempotent), in case the delivery that started the
    // chase died between the row write and the schedule.
    await scheduleFirstWakeUp(row, deps);
  }
  const outcome = changed ? 'applied' : duplicate ? 'duplicate' : 'stale';
  deps.log.info(`cart event ${outcome}`, {
    cartId: cart.cartId,
    eventKey: key,
    rowEventKey: row.eventKey,
    wakeUpScheduled: startsChase,
  });
  return outcome === 'applied'
    ? { outcome, cartId: cart.cartId, wakeUpScheduled: startsChase }
    : { outcome, cartId: cart.cartId };
}

/**
 * A Stripe session's only change event is its expiry, a day after the shopper was last on it (Stripe sends nothing
 * in between), so it usually arrives after the shopper has already bought through another session. A purchase under
 * one of the cart's addresses begun at or after the cart began (`firstSeenAt`; the purchase dated by `purchaseTime`)
 * stops this open cart as that order would have, had it arrived second (`stopOtherCarts` applies the same rule).
 * `firstSeenAt` only moves earlier, the addresses only grow and a purchase's date is the same from each of its
 * events, so once true this stays true: the same row and history whichever event came first. True when the cart was
 * stopped (and its pending wake-up cancelled).
 */
async function boughtSince(row: CartRow, wakeUpPending: boolean, deps: IngestDeps): Promise<boolean> {
  if (row.status !== 'open') return false;
  const addresses = emailsOf(row);
  if (addresses.length === 0) return false;
  const bought = (await Promise.all(addresses.map((email) => deps.carts.findByEmail(email, 'checked_out'))))
    .flat()
    .filter((other) => other.cartId !== row.cartId && (purchaseTime(other) ?? '') >= row.firstSeenAt)
    .sort((x, y) => (x.cartId < y.cartId ? -1 : 1))[0];
  if (!bought) return false;
  const reason = `shopper placed an order from cart ${bought.cartId}`;
  const stopped = await deps.carts.stop(row.cartId, reason, 'order');
  if (stopped.outcome !== 'closed') return false;
  if (wakeUpPending) await cancelPendingWakeUp(stopped.before, deps);
  await deps.activity.record({ cartId: row.cartId, at: deps.clock.now(), actor: 'intake', action: 'stopped', reason });
  return true;
}

/**
 * When a bought cart's purchase is dated for the Stripe stop rule: when its buying began (a Stripe session's creation,
 * the same for every event of one purchase), else its checkout.
 */
function purchaseTime(row: CartRow | undefined): string | undefined {
  return row?.orderStartedAt ?? row?.checkedOutAt;
}

async function scheduleFirstWakeUp(cart: CartRow, deps: IngestDeps): Promise<void> {
  const rules = await deps.rules.current();
  await deps.scheduler.schedule({ cartId: cart.cartId, seq: 1, at: firstWakeUpFloor(cart, rules) });
}

async function checkOut(event: CheckedOutEvent, deps: IngestDeps): Promise<IngestResult> {
  const { match } = event;
  const openOfEmail = match.email ? await deps.carts.findOpenByEmail(match.email) : [];
  const target = await resolveOrderedCart(event, openOfEmail, deps.carts);
  if (!target) {
    deps.log.warn('order matched no cart', { eventId: event.eventId, hasEmail: match.email !== undefined });
    return { outcome: 'unmatched' };
  }

  const rules = await deps.rules.current();
  // The same words whether the order came before or after the cart's changes (the row must not depend on it).
  const checkedOutReason = target.matchedBy === 'email' ? 'order placed (matched by email)' : 'order placed';
  const closed = await deps.carts.checkOut({
    cartId: target.cartId,
    source: event.source,
    eventKey: eventKey(event.occurredAt, event.eventId),
    occurredAt: event.occurredAt,
    orderTotal: event.orderTotal,
    ...(match.email ? { orderEmail: match.email } : {}),
    reason: checkedOutReason,
    expiresAt: expiresAt(event.occurredAt, deps),
    storeCurrency: rules.store.currency,
    ...(event.startedAt ? { startedAt: event.startedAt } : {}),
  });
  await mergeBoughtCart(target.cartId, event, deps);
  // The shopper's open carts as read before this order's writes; a Stripe order reads them again after, since a
  // Stripe cart arriving meanwhile looks for this order only once it is written (`boughtSince`): one of the two sees
  // the other.
  const knownOpen = match.email && event.source !== 'stripe' ? openOfEmail : undefined;
  if (closed.outcome === 'already_closed') {
    // A redelivery, or another order for a cart already bought: the row keeps the earliest order, but each order's
    // shopper is stopped elsewhere all the same, so the stops do not depend on which order arrived first.
    const emails = match.email ? [match.email] : emailsOf(closed.current);
    // The purchase as the row keeps it (a delayed payment succeeding is the same purchase as its completion).
    const orderedAt = purchaseTime(closed.current) ?? (event.startedAt ?? event.occurredAt).toISOString();
    const alsoStopped = await stopOtherCarts(target.cartId, emails, knownOpen, deps, orderedAt);
    deps.log.info('order for a cart already checked out', { cartId: target.cartId, alsoStopped });
    return { outcome: 'already_checked_out', cartId: target.cartId };
  }
  // Recovered (and the hold-back groups' came-back) is counted from the checkout write itself, through the cart stream
  // (the cart counter), so a crash anywhere after that one write loses no count.
  await cancelPendingWakeUp(closed.before, deps);
  await deps.activity.record({
    cartId: target.cartId,
    at: deps.clock.now(),
    actor: 'intake',
    action: 'checked_out',
    reason: checkedOutReason,
  });

  // The shopper bought: their other open carts are done too, so nobody is reminded of a cart they replaced. By the
  // order's email, else by every address the cart carried (and one that arrives later, applyChange stops then).
  const emails = match.email ? [match.email] : emailsOf(closed.before);
  const alsoStopped = await stopOtherCarts(
    target.cartId,
    emails,
    knownOpen,
    deps,
    (event.startedAt ?? event.occurredAt).toISOString(),
  );
  deps.log.info('cart checked out', { cartId: target.cartId, matchedBy: target.matchedBy, alsoStopped });
  return { outcome: 'checked_out', cartId: target.cartId, matchedBy: target.matchedBy, alsoStopped };
}

/**
 * An order that says what its cart was (a Stripe session bought at once, whose row no other event will fill) leaves
 * that on the closed row, with its own event id: a redelivery merges nothing new. Written before the stops, so a cart
 * of the same shopper arriving meanwhile finds the purchase by its address (`boughtSince`).
 */
async function mergeBoughtCart(cartId: string, event: CheckedOutEvent, deps: IngestDeps): Promise<void> {
  if (!event.cart || event.cart.snapshot.cartId !== cartId) return;
  await deps.carts.applyChange({
    snapshot: event.cart.snapshot,
    eventKey: eventKey(event.cart.occurredAt, event.eventId),
    occurredAt: event.cart.occurredAt,
    expiresAt: expiresAt(event.cart.occurredAt, deps),
  });
}

/**
 * Stops one shopper's open carts (under any of `emails`) other than the one they bought; `known` is the open carts of
 * the one address already read, if any.
 */
async function stopOtherCarts(
  boughtCartId: string,
  emails: readonly string[],
  known: readonly CartRow[] | undefined,
  deps: IngestDeps,
  orderedAt?: string,
): Promise<string[]> {
  const open = known ?? (await Promise.all(emails.map((email) => deps.carts.findOpenByEmail(email)))).flat();
  const stoppedIds: string[] = [];
  // A Stripe cart begun after this order is a new cart, not one the order replaced (its expiry may be delivered
  // first; `boughtSince` applies the same rule when it is delivered second).
  const replaced = (c: CartRow) =>
    c.cartId !== boughtCartId && !(c.source === 'stripe' && orderedAt !== undefined && c.firstSeenAt > orderedAt);
  for (const other of open.filter(replaced)) {
    const reason = `shopper placed an order from cart ${boughtCartId}`;
    const stopped = await deps.carts.stop(other.cartId, reason, 'order');
    if (stopped.outcome === 'closed') {
      stoppedIds.push(other.cartId);
      await cancelPendingWakeUp(stopped.before, deps);
      await deps.activity.record({
        cartId: other.cartId,
        at: deps.clock.now(),
        actor: 'intake',
        action: 'stopped',
        reason,
      });
    }
  }
  return stoppedIds;
}

/**
 * Match order: checkout token (a row we know), then the cart id the order names (seen or not: a cart first heard of
 * through its order gets a closed row, which its own changes fill in later), then the shopper's newest open cart by
 * email for an order that names no cart.
 */
async function resolveOrderedCart(
  event: CheckedOutEvent,
  openOfEmail: readonly CartRow[],
  carts: CartStore,
): Promise<{ cartId: string; matchedBy: string } | undefined> {
  const { match } = event;
  if (match.checkoutToken) {
    const [byToken] = await carts.findByCheckoutToken(match.checkoutToken);
    if (byToken) return { cartId: byToken, matchedBy: 'checkout token' };
  }
  if (match.cartId) return { cartId: match.cartId, matchedBy: 'cart id' };
  const newest = openOfEmail[0];
  if (newest) return { cartId: newest.cartId, matchedBy: 'email' };
  return undefined;
}

async function cancelPendingWakeUp(before: CartRow | undefined, deps: IngestDeps): Promise<void> {
  if (before?.status === 'open' && before.wakeSeq !== undefined) {
    await deps.scheduler.cancel(before.cartId, before.wakeSeq);
  }
}

/**
 * The row's TTL: the retention period after the event's own time (the merge keeps the latest), so a redelivery or a
 * replay computes the same value and writes nothing.
 */
function expiresAt(occurredAt: Date, deps: IngestDeps): number {
  return Math.floor(occurredAt.getTime() / 1000) + deps.retentionDays * 86_400;
}
