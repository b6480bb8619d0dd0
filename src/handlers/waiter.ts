import * as z from 'zod';
import type { Log } from '../ports/log';
import { wakeCart, type WakeDeps, type WakeResult } from '../use-cases/wake-cart';

/** What a wake-up schedule delivers. */
export const wakeUpPayloadSchema = z.object({
  cartId: z.string().min(1).max(256),
  seq: z.number().int().min(1),
});

/**
 * The waiter Lambda: validate the schedule's payload, run one wake-up. A malformed payload is logged and dropped
 * (retrying cannot fix it); any other failure is thrown so Scheduler/Lambda retry and finally dead-letter it.
 */
export function createWaiterHandler(deps: WakeDeps & { log: Log }): (payload: unknown) => Promise<WakeResult | { outcome: 'rejected' }> {
  return async (payload) => {
    const parsed = wakeUpPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      deps.log.error('wake-up payload rejected', { issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path.join('.') });
      return { outcome: 'rejected' };
    }
    deps.log.appendKeys({ cartId: parsed.data.cartId, seq: parsed.data.seq });
    return wakeCart(parsed.data, deps);
  };
}
