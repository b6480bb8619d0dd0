import * as z from 'zod';
import type { Log } from '../ports/log';
import { suppressAddress, type SuppressDeps } from '../use-cases/suppress-address';

const recipients = z.array(z.object({ emailAddress: z.string() })).default([]);

/** The part of an SES event (delivered by EventBridge as `detail`) this function reads. */
export const sesEventSchema = z.object({
  detail: z.object({
    eventType: z.string(),
    mail: z.object({ tags: z.record(z.string(), z.array(z.string())).optional() }).optional(),
    bounce: z.object({ bounceType: z.string(), bouncedRecipients: recipients }).optional(),
    complaint: z.object({ complainedRecipients: recipients }).optional(),
  }),
});

/**
 * SES feedback from the configuration set (via EventBridge): a permanent bounce or a complaint becomes a permanent
 * opt-out. Transient bounces are only logged: SES already retried, and the mailbox may work next time. An event that
 * cannot be read is an error, so it reaches the alarmed failed-invocations queue instead of vanishing.
 */
export function createSesEventsHandler(deps: SuppressDeps & { log: Log }): (event: unknown) => Promise<{ suppressed: number }> {
  return async (event) => {
    const parsed = sesEventSchema.safeParse(event);
    if (!parsed.success) {
      // Thrown, not swallowed: after Lambda's retries it lands in the failed-invocations queue, which is alarmed.
      const issue = parsed.error.issues[0];
      throw new Error(`SES event not understood at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    const { detail } = parsed.data;
    const cartId = detail.mail?.tags?.cart?.[0];
    if (cartId) deps.log.appendKeys({ cartId });
    let addresses: string[] = [];
    let source: 'bounce' | 'complaint' = 'bounce';
    if (detail.eventType === 'Complaint') {
      source = 'complaint';
      addresses = (detail.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress);
    } else if (detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') {
      addresses = detail.bounce.bouncedRecipients.map((r) => r.emailAddress);
    } else {
      deps.log.info('SES event needs no action', { eventType: detail.eventType, bounceType: detail.bounce?.bounceType });
      return { suppressed: 0 };
    }
    for (const email of addresses) await suppressAddress({ email, source, ...(cartId ? { cartId } : {}) }, deps);
    return { suppressed: addresses.length };
  };
}
