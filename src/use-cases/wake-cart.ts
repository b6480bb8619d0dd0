import type { CartRow } from '../domain/cart/cart';
import { applyWakeDecision, decideWake, type WakeDecision } from '../domain/cart/moves';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WakeUpMessage } from '../ports/messages';
import type { OptOutStore } from '../ports/opt-outs';
import type { ReminderQueue } from '../ports/reminder-queue';
import type { WakeUpScheduler } from '../ports/scheduler';
import type { RulesSource } from '../ports/owner-docs';
import type { Stats } from '../ports/stats';

export interface WakeDeps {
  readonly carts: CartStore;
  readonly optOuts: OptOutStore;
  readonly scheduler: WakeUpScheduler;
  readonly reminders: ReminderQueue;
  readonly activity: ActivityLog;
  readonly rules: RulesSource;
  readonly clock: Clock;
  readonly log: Log;
  /** The monthly counters: a cart is *left behind* when its first reminder falls due unbought. */
  readonly stats: Pick<Stats, 'add'>;
}

/** What a wake-up did: one of the four moves, an end of the chase recorded, or nothing (stale, missing, ended). */
export type WakeResult =
  | { readonly outcome: 'moved'; readonly move: string; readonly nextWakeAt?: Date }
  | { readonly outcome: 'ended'; readonly reason: string; readonly recorded: boolean }
  | { readonly outcome: 'stale' | 'missing' };

/** A change racing the waiter makes it re-read; more than a few in a row means something is wrong. */
const MAX_ATTEMPTS = 5;

/**
 * The waiter: wakes once per scheduled time, reads the cart, picks exactly one move, records it with a conditional
 * write, and only then acts (next wake-up, hand-off to the sender). A duplicate or late delivery finds another
 * `wakeSeq` on the row and does nothing, except finishing side effects a crash may have cut short.
 */
export async function wakeCart(request: WakeUpMessage, deps: WakeDeps): Promise<WakeResult> {
  const rules = await deps.rules.current();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const cart = await deps.carts.get(request.cartId);
    if (!cart) {
      deps.log.warn('wake-up for an unknown cart', request);
      return { outcome: 'missing' };
    }
    const now = deps.clock.now();
    const optOut = cart.email ? await deps.optOuts.find(cart.email, cart.cartId) : undefined;
    const decision = decideWake({ cart, wakeSeq: request.seq, rules, now, optOut });

    if (decision.kind === 'stale') {
      await finishInterruptedMove(cart, request.seq, deps);
      deps.log.info('stale wake-up ignored', { ...request, rowSeq: cart.wakeSeq });
      return { outcome: 'stale' };
    }
    const next = applyWakeDecision(cart, decision, now);
    if (!next) return { outcome: 'ended', reason: decision.reason, recorded: false };

    const lastMove = {
      seq: request.seq,
      move: decision.kind === 'move' ? decision.move : 'stopped',
      ...(decision.kind === 'move' && decision.step ? { step: decision.step } : {}),
      at: now.toISOString(),
    };
    if (!(await deps.carts.recordWake({ expected: cart, next, lastMove }))) continue; // changed meanwhile: decide again

    // Counted by the write that recorded the move, so a redelivered wake-up (stale by then) counts nothing; a first
    // reminder handed off again after the sender gave it back (the row has a hand-off already) is the same cart.
    if (decision.kind === 'move' && decision.move === 'first_reminder' && cart.lastReminderAt === undefined)
      await deps.stats.add(now, { counter: 'leftBehind' });
    await deps.activity.record({
      cartId: cart.cartId,
      at: now,
      actor: 'waiter',
      action: lastMove.move,
      reason: decision.reason,
      details: { seq: request.seq },
    });
    await actOn(next, decision, deps);
    return decision.kind === 'move'
      ? { outcome: 'moved', move: decision.move, ...(decision.nextWakeAt ? { nextWakeAt: decision.nextWakeAt } : {}) }
      : { outcome: 'ended', reason: decision.reason, recorded: true };
  }
  throw new Error(`cart ${request.cartId} kept changing under wake-up #${request.seq}; retrying later`);
}

/** Side effects of a recorded move; each is idempotent, so repeating them after a crash is safe. */
async function actOn(next: CartRow, decision: WakeDecision, deps: WakeDeps): Promise<void> {
  if (next.status === 'open' && next.wakeUpAt !== undefined && next.wakeSeq !== undefined) {
    await deps.scheduler.schedule({ cartId: next.cartId, seq: next.wakeSeq, at: new Date(next.wakeUpAt) });
  }
  if (decision.kind === 'move' && decision.step) {
    await deps.reminders.handOff({ cartId: next.cartId, step: decision.step });
  }
}

/** A redelivered wake-up whose move is on the row: repeat that move's side effects (both are idempotent). */
async function finishInterruptedMove(cart: CartRow, seq: number, deps: WakeDeps): Promise<void> {
  if (cart.lastMove?.seq !== seq) return;
  if (cart.status === 'open' && cart.wakeUpAt !== undefined && cart.wakeSeq !== undefined) {
    await deps.scheduler.schedule({ cartId: cart.cartId, seq: cart.wakeSeq, at: new Date(cart.wakeUpAt) });
  }
  if (cart.lastMove.step) await deps.reminders.handOff({ cartId: cart.cartId, step: cart.lastMove.step });
}
