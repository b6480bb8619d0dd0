import type { CartChangedEvent, CartEvent, CartRow, CheckedOutEvent } from '../domain/cart/cart';
import { eventKey } from '../domain/cart/cart';
import { firstWakeUpAt, isRecovered } from '../domain/cart/moves';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { Stats } from '../ports/stats';
import type { WakeUpScheduler } from '../ports/scheduler';
import type { RulesSource } from '../ports/owner-docs';

export interface IngestDeps {
  readonly carts: CartStore;
  readonly scheduler: WakeUpScheduler;
  readonly rules: RulesSource;
  readonly clock: Clock;
  readonly log: Log;
  /** Where checkouts and the stops they cause are recorded (cart changes are too frequent and say nothing new). */
  readonly activity: ActivityLog;
  /** The monthly summary's counters, for recovered checkouts (cart counts come from the cart stream). */
  readonly stats: Stats;
  /** Days a cart row is kept after its last event before DynamoDB TTL deletes it. */
  readonly retentionDays: number;
}

/**
 * What happened to one event:
 * - `applied`: the cart row now reflects it (and `wakeUpScheduled` says whether this event set the first wake-up);
 * - `duplicate` / `stale`: a redelivery, or older than what the row holds: nothing changed;
 * - `closed`: the chase on this cart has ended; changes no longer apply;
 * - `checked_out`: the order ended the chase on `cartId` and stopped `alsoStopped` (same shopper's other carts);
 * - `already_checked_out`: a repeated order event;
 * - `unmatched`: an order that names no cart id and matches no known cart (nothing to stop).
 */
export type IngestResult =
  | { readonly outcome: 'applied'; readonly cartId: string; readonly wakeUpScheduled: boolean }
  | { readonly outcome: 'duplicate' | 'stale' | 'closed'; readonly cartId: string }
  | { readonly outcome: 'checked_out'; readonly cartId: string; readonly matchedBy: string; readonly alsoStopped: string[] }
  | { readonly outcome: 'already_checked_out'; readonly cartId: string }
  | { readonly outcome: 'unmatched' };

/** The intake use case: one storefront event in, one cart row updated, at most one wake-up scheduled. */
export async function ingestCartEvent(event: CartEvent, deps: IngestDeps): Promise<IngestResult> {
  return event.kind === 'cart_changed' ? applyChange(event, deps) : checkOut(event, deps);
}

async function applyChange(event: CartChangedEvent, deps: IngestDeps): Promise<IngestResult> {
  const key = eventKey(event.occurredAt, event.eventId);
  const rules = await deps.rules.current();
  const { cart } = event;
  const result = await deps.carts.applyChange({
    snapshot: cart,
    eventKey: key,
    occurredAt: event.occurredAt,
    // Sized by this event's cart; later changes never move it: the waiter re-reads the cart when it wakes.
    firstWakeUpAt: cart.email
      ? firstWakeUpAt({ total: cart.total, lastChangedAt: event.occurredAt.toISOString() }, rules)
      : undefined,
    expiresAt: expiresAt(deps),
  });

  const ownsFirstWakeUp = result.cart.status === 'open' && result.cart.wakeUpSetBy === key;
  if (result.outcome === 'applied') {
    // The row write is the only DynamoDB write a change makes: the monthly cart counters follow from the table's
    // change stream (the cart counter), not from here.
    if (ownsFirstWakeUp) await scheduleFirstWakeUp(result.cart, deps);
    deps.log.info('cart event applied', { cartId: cart.cartId, eventKey: key, wakeUpScheduled: ownsFirstWakeUp });
    return { outcome: 'applied', cartId: cart.cartId, wakeUpScheduled: ownsFirstWakeUp };
  }
  // A redelivery of the event that created the first wake-up re-ensures it (the create is idempotent), in case the
  // first attempt died between the row write and the schedule.
  if (result.outcome === 'duplicate' && ownsFirstWakeUp && result.cart.wakeSeq === 1) {
    await scheduleFirstWakeUp(result.cart, deps);
  }
  deps.log.info(`cart event ${result.outcome}`, { cartId: cart.cartId, eventKey: key, rowEventKey: result.cart.eventKey });
  return { outcome: result.outcome, cartId: cart.cartId };
}

async function scheduleFirstWakeUp(cart: CartRow, deps: IngestDeps): Promise<void> {
  if (cart.wakeUpAt === undefined || cart.wakeSeq === undefined) return;
  await deps.scheduler.schedule({ cartId: cart.cartId, seq: cart.wakeSeq, at: new Date(cart.wakeUpAt) });
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
  const checkedOutReason = `order placed (matched by ${target.matchedBy})`;
  const closed = await deps.carts.checkOut({
    cartId: target.cartId,
    source: event.source,
    eventKey: eventKey(event.occurredAt, event.eventId),
    occurredAt: event.occurredAt,
    orderTotal: event.orderTotal,
    reason: checkedOutReason,
    expiresAt: expiresAt(deps),
    storeCurrency: rules.store.currency,
  });
  if (closed.outcome === 'already_closed') {
    deps.log.info('order repeated', { cartId: target.cartId });
    return { outcome: 'already_checked_out', cartId: target.cartId };
  }
  await cancelPendingWakeUp(closed.before, deps);
  if (closed.before) {
    const bought = { ...closed.before, status: 'checked_out' as const, checkedOutAt: event.occurredAt.toISOString() };
    if (isRecovered(bought, rules)) {
      const value = event.orderTotal ?? closed.before.total;
      await deps.stats.add(event.occurredAt, { counter: 'recovered', currency: value.currency, minor: value.minor });
    }
  }
  await deps.activity.record({ cartId: target.cartId, at: deps.clock.now(), actor: 'intake', action: 'checked_out', reason: checkedOutReason });

  // The shopper bought: their other open carts are done too, so nobody is reminded of a cart they replaced.
  const email = match.email ?? closed.before?.email;
  const others = email
    ? (match.email ? openOfEmail : await deps.carts.findOpenByEmail(email)).filter((c) => c.cartId !== target.cartId)
    : [];
  const alsoStopped: string[] = [];
  for (const other of others) {
    const reason = `shopper placed an order from cart ${target.cartId}`;
    const stopped = await deps.carts.stop(other.cartId, reason, 'order');
    if (stopped.outcome === 'closed') {
      alsoStopped.push(other.cartId);
      await cancelPendingWakeUp(stopped.before, deps);
      await deps.activity.record({ cartId: other.cartId, at: deps.clock.now(), actor: 'intake', action: 'stopped', reason });
    }
  }
  deps.log.info('cart checked out', { cartId: target.cartId, matchedBy: target.matchedBy, alsoStopped });
  return { outcome: 'checked_out', cartId: target.cartId, matchedBy: target.matchedBy, alsoStopped };
}

/** Match order: checkout token, then cart id (a row we know), then the shopper's newest open cart by email. */
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
  if (match.cartId && (await carts.get(match.cartId))) return { cartId: match.cartId, matchedBy: 'cart id' };
  const newest = openOfEmail[0];
  if (newest) return { cartId: newest.cartId, matchedBy: 'email' };
  // Never seen: still record it as bought, so a late cart event cannot open a chase on a paid cart.
  if (match.cartId) return { cartId: match.cartId, matchedBy: 'cart id (first heard of at checkout)' };
  return undefined;
}

async function cancelPendingWakeUp(before: CartRow | undefined, deps: IngestDeps): Promise<void> {
  if (before?.status === 'open' && before.wakeUpAt !== undefined && before.wakeSeq !== undefined) {
    await deps.scheduler.cancel(before.cartId, before.wakeSeq);
  }
}

function expiresAt(deps: IngestDeps): number {
  return Math.floor(deps.clock.now().getTime() / 1000) + deps.retentionDays * 86_400;
}
