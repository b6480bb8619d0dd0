import { normaliseEmail } from '../domain/cart/cart';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { OptOutStore } from '../ports/opt-outs';
import type { Stats } from '../ports/stats';

export interface SuppressDeps {
  readonly carts: Pick<CartStore, 'stop' | 'findOpenByEmail'>;
  readonly optOuts: OptOutStore;
  readonly activity: ActivityLog;
  readonly stats: Stats;
  readonly clock: Clock;
  readonly log: Log;
}

/**
 * Stops every reminder to an address the mail system told us about: a hard bounce (the mailbox does not exist) or a
 * complaint (the shopper marked us as spam). Both are permanent: an opt-out from everything, and every open cart
 * of that address stopped. Keeps the bounce and complaint rates, which can get an SES account paused, near zero.
 */
export async function suppressAddress(
  request: { email: string; source: 'bounce' | 'complaint'; cartId?: string },
  deps: SuppressDeps,
): Promise<string[]> {
  const email = normaliseEmail(request.email);
  if (!email) return [];
  const now = deps.clock.now();
  if (
    await deps.optOuts.record({ email, scope: 'all', cartId: request.cartId ?? '-', at: now, source: request.source })
  ) {
    await deps.stats.add(now, { counter: 'optOuts' });
  }
  const reason =
    request.source === 'complaint' ? 'the shopper marked a reminder as spam' : 'the address bounced permanently';
  const stopped: string[] = [];
  for (const cart of await deps.carts.findOpenByEmail(email)) {
    if ((await deps.carts.stop(cart.cartId, reason, 'shopper')).outcome !== 'closed') continue;
    stopped.push(cart.cartId);
    await deps.activity.record({ cartId: cart.cartId, at: now, actor: 'shopper', action: 'stopped', reason });
  }
  deps.log.info('address suppressed', { source: request.source, stoppedCarts: stopped });
  return stopped;
}
