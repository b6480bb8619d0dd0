import type { ReminderStep } from '../domain/cart/reminder-step';
import type { ActivityEntry } from '../domain/cart/activity';
import type { Log } from '../ports/log';
import type { SendLedger, SentFacts, SentWrite } from '../ports/send-ledger';
import { SECOND_COPY_LOG_MESSAGE } from '../resources/log-signals';

/**
 * What SES accepting one reminder makes true, for the ledger to write in the one transaction that records it sent:
 * the month's count, the sent time on the cart row (not in test mode: that email went to the owner) and the `sent`
 * entry of the activity log. The sender's answer and SES's SEND event build the same facts, so whichever lands first
 * records the reminder once, and the other records nothing.
 */
export function sentFacts(input: {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly test: boolean;
  /** The month the send counts in (the send record's `sentAt`). */
  readonly countAt: Date;
  /** When SES accepted it: the cart row's `firstSentAt`/`secondSentAt`. */
  readonly acceptedAt: Date;
  readonly joinsHoldBack: boolean;
  readonly entry: Pick<ActivityEntry, 'at' | 'reason' | 'details'>;
}): SentFacts {
  return {
    counter: input.test ? 'remindersTest' : input.step === 'first' ? 'remindersFirst' : 'remindersSecond',
    countAt: input.countAt,
    ...(input.test ? {} : { cartRow: { acceptedAt: input.acceptedAt, joinsHoldBack: input.joinsHoldBack } }),
    activity: { cartId: input.cartId, actor: 'sender', action: 'sent', ...input.entry },
  };
}

/** What {@link settleSentWrite} needs. */
export interface SettleSentDeps {
  readonly sends: Pick<SendLedger, 'recordSecondCopy'>;
  readonly log: Log;
}

/**
 * Acts on what a `sent` write found. `other_message`: SES accepted a second email for a reminder already recorded
 * sent with another message (a lost answer and a SEND event later than the claim's lease, or the reverse). It reached
 * the shopper, so it goes on the record: the cart's story (`second_copy`), the month's `secondCopies` counter, and
 * one error line operators can alarm on ({@link SECOND_COPY_LOG_MESSAGE}). `no_claim` is logged loudly: a message
 * SES accepted that no open claim stood for.
 */
export async function settleSentWrite(
  written: SentWrite,
  message: {
    readonly cartId: string;
    readonly step: ReminderStep;
    readonly messageId: string;
    readonly at: Date;
    readonly test: boolean;
    readonly learntFrom: 'answer' | 'ses_event';
  },
  deps: SettleSentDeps,
): Promise<void> {
  const { cartId, step, messageId } = message;
  if (written.outcome === 'no_claim') {
    deps.log.error('SES accepted a reminder no open claim stood for', {
      cartId,
      step,
      messageId,
      learntFrom: message.learntFrom,
    });
    return;
  }
  if (written.outcome !== 'other_message') return;
  const { recordedMessageId } = written;
  const who = message.test ? 'the owner (test mode)' : 'the shopper';
  const recorded = await deps.sends.recordSecondCopy({
    cartId,
    step,
    messageId,
    recordedMessageId,
    at: message.at,
    activity: {
      cartId,
      at: message.at,
      actor: 'sender',
      action: 'second_copy',
      reason:
        `a second copy of the ${step} reminder reached ${who}: SES accepted message ${messageId} ` +
        `after the reminder was recorded as sent with message ${recordedMessageId} ` +
        `(an answer from SES was lost and its SEND event came after the claim's 15-minute lease)`,
      details: {
        step,
        messageId,
        recordedMessageId,
        learntFrom: message.learntFrom,
        ...(message.test ? { test: true } : {}),
      },
    },
  });
  if (recorded)
    deps.log.error(SECOND_COPY_LOG_MESSAGE, {
      cartId,
      step,
      messageId,
      recordedMessageId,
      learntFrom: message.learntFrom,
    });
}
