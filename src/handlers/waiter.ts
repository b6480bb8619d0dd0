import type { Log } from '../ports/log';
import { wakeUpMessageSchema } from '../ports/messages';
import { wakeCart, type WakeDeps, type WakeResult } from '../use-cases/wake-cart';

/**
 * The waiter Lambda: validate the schedule's payload, run one wake-up. A malformed payload is logged and dropped
 * (retrying cannot fix it); any other failure is thrown so Scheduler/Lambda retry and finally dead-letter it.
 */
export function createWaiterHandler(
  deps: WakeDeps & { log: Log },
): (payload: unknown) => Promise<WakeResult | { outcome: 'rejected' }> {
  return async (payload) => {
    const parsed = wakeUpMessageSchema.safeParse(payload);
    if (!parsed.success) {
      deps.log.error('wake-up payload rejected', {
        issue: parsed.error.issues[0]?.message,
        path: parsed.error.issues[0]?.path.join('.'),
      });
      return { outcome: 'rejected' };
    }
    deps.log.appendKeys({ cartId: parsed.data.cartId, seq: parsed.data.seq });
    return wakeCart(parsed.data, deps);
  };
}
