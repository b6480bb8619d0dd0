import { normaliseEmail } from '../domain/cart/cart';
import type { StopSet } from '../domain/owner-docs/rules';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WakeUpScheduler } from '../ports/scheduler';

export interface LiftStopsDeps {
  readonly carts: Pick<CartStore, 'get' | 'resume' | 'findByEmail'>;
  readonly scheduler: WakeUpScheduler;
  readonly activity: ActivityLog;
  readonly clock: Clock;
  readonly log: Log;
}

/**
 * Undoes owner stops that are no longer in force (their line left the rules doc, or the operator lifted them):
 * each cart the owner had stopped is open again with a wake-up now, and the waiter carries on from where the chase
 * was (reminders already sent still count). Carts stopped by the shopper or by an order are never touched.
 */
export async function liftRemovedOwnerStops(previous: StopSet, next: StopSet, deps: LiftStopsDeps): Promise<string[]> {
  const keptCarts = new Set(next.carts);
  const keptEmails = new Set(next.emails);
  const cartIds = new Set(previous.carts.filter((id) => !keptCarts.has(id)));
  for (const email of previous.emails) {
    if (keptEmails.has(email)) continue;
    for (const cart of await deps.carts.findByEmail(email, 'stopped')) cartIds.add(cart.cartId);
  }

  const lifted: string[] = [];
  const now = deps.clock.now();
  for (const cartId of cartIds) {
    const cart = await deps.carts.get(cartId);
    // A cart still covered by another stop (its cart id or its shopper) stays stopped.
    if (!cart || keptCarts.has(cartId) || (cart.email && keptEmails.has(normaliseEmail(cart.email) ?? ''))) continue;
    const reopened = await deps.carts.resume(cartId, now);
    if (!reopened?.wakeSeq) continue;
    await deps.scheduler.schedule({ cartId, seq: reopened.wakeSeq, at: now });
    await deps.activity.record({
      cartId,
      at: now,
      actor: 'owner',
      action: 'resumed',
      reason: "the owner's stop was lifted; the chase carries on",
    });
    lifted.push(cartId);
  }
  if (lifted.length > 0) deps.log.info('owner stops lifted', { carts: lifted });
  return lifted;
}
