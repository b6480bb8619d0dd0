/**
 * SES publishes a SEND event for every message it accepts, and the feedback function reads it a moment later. The
 * local outbox does the same through the job table, so a reminder whose answer was lost is settled locally as in AWS.
 */
import type { Clock } from '../../ports/clock';
import type { Mailer } from '../../ports/mailer';
import type { LocalJob } from './local-scheduler';

/** How long after accepting a message SES's SEND event reaches the feedback function (seconds, in AWS). */
export const SES_EVENT_DELAY_MS = 2_000;

/** An SES SEND event as EventBridge delivers it (`detail-type` "Email Sent"), with the message's tags. */
export function sesSendEvent(
  messageId: string,
  at: Date,
  tags: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return {
    source: 'aws.ses',
    'detail-type': 'Email Sent',
    detail: {
      eventType: 'Send',
      mail: {
        messageId,
        timestamp: at.toISOString(),
        tags: Object.fromEntries(Object.entries(tags).map(([name, value]) => [name, [value]])),
      },
      send: {},
    },
  };
}

/** `mailer` (the outbox), with each accepted message's SEND event queued for the `ses-events` target. */
export function withSesSendEcho(
  mailer: Mailer,
  clock: Clock,
  jobs: { put(job: Omit<LocalJob, 'attempts'>): Promise<void> },
): Mailer {
  return {
    async send(email) {
      const accepted = await mailer.send(email);
      const at = clock.now();
      await jobs.put({
        name: `ses-send-${accepted.messageId}`,
        target: 'ses-events',
        dueAt: new Date(at.getTime() + SES_EVENT_DELAY_MS).toISOString(),
        payload: sesSendEvent(accepted.messageId, at, email.tags),
      });
      return accepted;
    },
  };
}
