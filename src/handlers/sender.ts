import { reminderRequestSchema } from '../ports/messages';
import { sendReminder, type SenderDeps, type SendResult } from '../use-cases/send-reminder';

/**
 * The sender Lambda: validate the payload, run the four gates and send. A malformed payload is logged and dropped
 * (a retry cannot fix it); SES's answers are all handled by the use case; anything else (DynamoDB, the scheduler
 * unreachable) is thrown, so Lambda retries and finally sends it to the alarmed failure queue (the claim and its
 * lease make a retry safe).
 */
export function createSenderHandler(
  deps: SenderDeps,
): (payload: unknown) => Promise<SendResult | { outcome: 'rejected' }> {
  return async (payload) => {
    const parsed = reminderRequestSchema.safeParse(payload);
    if (!parsed.success) {
      deps.log.error('reminder payload rejected', {
        issue: parsed.error.issues[0]?.message,
        path: parsed.error.issues[0]?.path.join('.'),
      });
      return { outcome: 'rejected' };
    }
    deps.log.appendKeys({ cartId: parsed.data.cartId, step: parsed.data.step });
    return sendReminder(parsed.data, deps);
  };
}
