import type { ActivityLog } from '../../src/ports/activity-log';
import type { CartStore } from '../../src/ports/cart-store';
import type { Clock } from '../../src/ports/clock';
import { silentLog } from '../../src/ports/log';
import { fixedRules } from '../../src/ports/owner-docs';
import { ingestCartEvent } from '../../src/use-cases/ingest-cart-event';
import { RecordingScheduler } from './recording-scheduler';

/** Brings open $1.00 carts with no items for one shopper through intake, as the tests of what stops them need. */
export async function ingestOpenCarts(
  cartIds: readonly string[],
  deps: { readonly carts: CartStore; readonly activity: ActivityLog; readonly clock: Clock },
  options: { readonly email?: string; readonly at?: Date } = {},
): Promise<void> {
  const email = options.email ?? 'sam@example.com';
  const at = options.at ?? deps.clock.now();
  for (const cartId of cartIds) {
    await ingestCartEvent(
      {
        kind: 'cart_changed',
        eventId: cartId,
        occurredAt: at,
        source: 'generic',
        cart: { cartId, source: 'generic', email, items: [], total: { minor: 100, currency: 'USD' } },
      },
      { ...deps, scheduler: new RecordingScheduler(), rules: fixedRules(), log: silentLog, retentionDays: 90 },
    );
  }
}
