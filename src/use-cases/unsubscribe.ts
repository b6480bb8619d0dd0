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
  | {
      readonly outcome: 'unsubscribed';
      readonly scope: OptOutScope;
      readonly stoppedCarts: string[];
      /** False for a repeated click: the opt-out was already there and no cart was left to stop. */
      readonly changed: boolean;
    }
  /** An old (v1) link whose cart is gone (expired) or never had an email: there is nothing we could still send. */
  | { readonly outcome: 'nothing_to_stop' };

export interface UnsubscribeRequest {
  readonly cartId: string;
  readonly scope: OptOutScope;
  readonly source: OptOutSource;
  /**
   * The address the email carrying the link was sent to (from a v2 token). Absent for links sent before tokens bound
   * the address: then the cart's current address is used, as those links always did.
   */
  readonly email?: string;
}

/**
 * Records an opt-out at once, for the address that received the email, and ends the chase on the carts it covers:
 * `all` stops every open cart of that address; `cart` stops this cart if it still goes to that address (a cart whose
 * address changed since is not stopped: its new address did not ask). The opt-out list is what the waiter and the
 * sender check before every move and send, so reminders already scheduled never go out either, and an `all`
 * opt-out holds for that address's future carts too. Idempotent: a repeated click records nothing new, stops
 * nothing, and writes no activity entry; one entry is written per click that changed something.
 */
export async function unsubscribe(request: UnsubscribeRequest, deps: UnsubscribeDeps): Promise<UnsubscribeResult> {
  const cart = await deps.carts.get(request.cartId);
  const email = request.email ?? cart?.email;
  if (!email) {
    deps.log.info('unsubscribe for a cart we no longer hold', { cartId: request.cartId });
    return { outcome: 'nothing_to_stop' };
  }
  const now = deps.clock.now();
  const recorded = await deps.optOuts.record({
    email,
    scope: request.scope,
    cartId: request.cartId,
    at: now,
    source: request.source,
  });
  if (recorded) await deps.stats.add(now, { counter: 'optOuts' });

  const all = request.scope === 'all';
  const reason = all ? 'shopper unsubscribed from all reminders' : 'shopper unsubscribed from this cart';
  const covered = all ? await deps.carts.findOpenByEmail(email) : cart?.email === email ? [cart] : [];
  const stoppedCarts: string[] = [];
  for (const target of covered) {
    if ((await deps.carts.stop(target.cartId, reason, 'shopper')).outcome === 'closed')
      stoppedCarts.push(target.cartId);
  }
  const changed = recorded || stoppedCarts.length > 0;
  if (changed) {
    const whose =
      request.email === undefined
        ? ''
        : cart === undefined
          ? '; the cart itself has expired'
          : cart.email !== email
            ? '; from the address the reminder went to, which the cart no longer has'
            : '';
    await deps.activity.record({
      cartId: request.cartId,
      at: now,
      actor: 'shopper',
      action: 'unsubscribed',
      reason: `${reason} (${request.source.replace('_', '-')}${whose})`,
      details: { scope: request.scope },
    });
  }
  deps.log.info('unsubscribed', {
    cartId: request.cartId,
    scope: request.scope,
    source: request.source,
    stoppedCarts,
    changed,
  });
  return { outcome: 'unsubscribed', scope: request.scope, stoppedCarts, changed };
}
