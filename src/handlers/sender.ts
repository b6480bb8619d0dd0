import * as z from 'zod';
import { sendReminder, type SenderDeps, type SendResult } from '../use-cases/send-reminder';

/** What the waiter's hand-off and a deferral (quiet hours, a throttle, a pause, a lease's end) deliver. */
export const reminderPayloadSchema = z.object({
  cartId: z.string().min(1).max(256),
  step: z.enum(['first', 'second']),
  retry: z.number().int().min(0).max(1_000).optional(),
  /** The release (an ISO instant) a reminder held for quiet hours has its place in. */
  releaseAt: z.iso.datetime().optional(),
});

/**
 * The sender Lambda: validate the payload, run the four gates and send. A malformed payload is logged and dropped
 * (a retry cannot fix it); SES's answers are all handled by the use case; anything else (DynamoDB, the scheduler
 * unreachable) is thrown, so Lambda retries and finally sends it to the alarmed failure queue (the claim and its
 * lease make a retry safe).
 */
export function createSenderHandler(deps: SenderDeps): (payload: unknown) => Promise<SendResult | { outcome: 'rejected' }> {
  return async (payload) => {
    const parsed = reminderPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      deps.log.error('reminder payload rejected', { issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path.join('.') });
      return { outcome: 'rejected' };
    }
    deps.log.appendKeys({ cartId: parsed.data.cartId, step: parsed.data.step });
    return sendReminder(parsed.data, deps);
  };
}
