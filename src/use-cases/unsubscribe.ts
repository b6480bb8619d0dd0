import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { OptOutScope, OptOutSource, OptOutStore } from '../ports/opt-outs';
import type { Stats } from '../ports/stats';

export interface UnsubscribeDeps {
  readonly carts: Pick<CartStore, 'get' | 'stop' | 'findOpenByEmail'>;
  readonly optOuts: OptOutStore;
  readonly activity: ActivityLog;
  readonly stats: Stats;
  readonly clock: Clock;
  readonly log: Log;
}

export type UnsubscribeResult =
  | { readonly outcome: 'unsubscribed'; readonly scope: OptOutScope; readonly stoppedCarts: string[] }
  /** The cart is gone (expired) or never had an email: there is nothing we could still send. */
  | { readonly outcome: 'nothing_to_stop' };

/**
 * Records an opt-out at once and ends the chase on the carts it covers. The opt-out list is what the waiter and
 * the sender check before every move and send, so reminders already scheduled never go out either.
 */
export async function unsubscribe(
  request: { cartId: string; scope: OptOutScope; source: OptOutSource },
  deps: UnsubscribeDeps,
): Promise<UnsubscribeResult> {
  const cart = await deps.carts.get(request.cartId);
  if (!cart?.email) {
    deps.log.info('unsubscribe for a cart we no longer hold', { cartId: request.cartId });
    return { outcome: 'nothing_to_stop' };
  }
  const now = deps.clock.now();
  if (await deps.optOuts.record({ email: cart.email, scope: request.scope, cartId: cart.cartId, at: now, source: request.source })) {
    await deps.stats.add(now, { counter: 'optOuts' });
  }

  const reason = request.scope === 'all' ? 'shopper unsubscribed from all reminders' : 'shopper unsubscribed from this cart';
  const covered = request.scope === 'all' ? await deps.carts.findOpenByEmail(cart.email) : [cart];
  const stoppedCarts: string[] = [];
  for (const target of covered) {
    if ((await deps.carts.stop(target.cartId, reason, 'shopper')).outcome === 'closed') stoppedCarts.push(target.cartId);
  }
  await deps.activity.record({
    cartId: cart.cartId,
    at: now,
    actor: 'shopper',
    action: 'unsubscribed',
    reason: `${reason} (${request.source.replace('_', '-')})`,
    details: { scope: request.scope },
  });
  deps.log.info('unsubscribed', { cartId: cart.cartId, scope: request.scope, source: request.source, stoppedCarts });
  return { outcome: 'unsubscribed', scope: request.scope, stoppedCarts };
}
