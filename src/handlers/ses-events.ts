import * as z from 'zod';
import type { Log } from '../ports/log';
import { confirmSend, type ConfirmSendDeps } from '../use-cases/confirm-send';
import { suppressAddress, type SuppressDeps } from '../use-cases/suppress-address';

const recipients = z.array(z.object({ emailAddress: z.string() })).default([]);

/** The part of an SES event (delivered by EventBridge as `detail`) this function reads. */
export const sesEventSchema = z.object({
  detail: z.object({
    eventType: z.string(),
    mail: z
      .object({
        messageId: z.string().optional(),
        timestamp: z.iso.datetime({ offset: true }).optional(),
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .optional(),
    bounce: z.object({ bounceType: z.string(), bouncedRecipients: recipients }).optional(),
    complaint: z.object({ complainedRecipients: recipients }).optional(),
  }),
});

/**
 * SES events from the configuration set (via EventBridge). A SEND event of a reminder (tagged with cart and step)
 * confirms it went out, which settles a send whose answer was lost. A permanent bounce or a complaint becomes a
 * permanent opt-out. Transient bounces are only logged: SES already retried, and the mailbox may work next time. An
 * event that cannot be read is an error, so it reaches the alarmed failed-invocations queue instead of vanishing.
 */
export function createSesEventsHandler(
  deps: SuppressDeps & ConfirmSendDeps & { log: Log },
): (
  event: unknown,
) => Promise<{ suppressed: number; confirmed?: 'confirmed' | 'already' | 'second_copy' | 'unknown' }> {
  return async (event) => {
    const parsed = sesEventSchema.safeParse(event);
    if (!parsed.success) {
      // Thrown, not swallowed: after Lambda's retries it lands in the failed-invocations queue, which is alarmed.
      const issue = parsed.error.issues[0];
      throw new Error(
        `SES event not understood at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const { detail } = parsed.data;
    const cartId = detail.mail?.tags?.cart?.[0];
    if (cartId) deps.log.appendKeys({ cartId });
    if (detail.eventType === 'Send') {
      const step = detail.mail?.tags?.step?.[0];
      const messageId = detail.mail?.messageId;
      // Owner notices and summaries carry no cart: nothing to settle.
      if (!cartId || (step !== 'first' && step !== 'second') || !messageId) return { suppressed: 0 };
      const at = detail.mail?.timestamp ? new Date(detail.mail.timestamp) : deps.clock.now();
      const test = detail.mail?.tags?.test?.[0] === 'yes';
      return {
        suppressed: 0,
        confirmed: await confirmSend({ cartId, step, messageId, at, ...(test ? { test } : {}) }, deps),
      };
    }
    let addresses: string[] = [];
    let source: 'bounce' | 'complaint' = 'bounce';
    if (detail.eventType === 'Complaint') {
      source = 'complaint';
      addresses = (detail.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress);
    } else if (detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') {
      addresses = detail.bounce.bouncedRecipients.map((r) => r.emailAddress);
    } else {
      deps.log.info('SES event needs no action', {
        eventType: detail.eventType,
        bounceType: detail.bounce?.bounceType,
      });
      return { suppressed: 0 };
    }
    for (const email of addresses) await suppressAddress({ email, source, ...(cartId ? { cartId } : {}) }, deps);
    return { suppressed: addresses.length };
  };
}
