import * as z from 'zod';
import { sendReminder, type SenderDeps, type SendResult } from '../use-cases/send-reminder';

/** What the waiter's hand-off and a quiet-hours deferral deliver. */
export const reminderPayloadSchema = z.object({
  cartId: z.string().min(1).max(256),
  step: z.enum(['first', 'second']),
});

/**
 * The sender Lambda: validate the payload, run the four gates and send. A malformed payload is logged and dropped
 * (a retry cannot fix it); other failures are thrown so Lambda retries (the claim makes a retry safe).
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
