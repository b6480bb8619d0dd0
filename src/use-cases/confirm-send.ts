import type { ReminderStep } from '../domain/cart/reminder-step';
import type { Log } from '../ports/log';
import type { SendLedger } from '../ports/send-ledger';
import type { RulesSource } from '../ports/owner-docs';
import type { CartStore } from '../ports/cart-store';
import { recordConfirmedTestSend } from './reminder-hand-off';
import { sentFacts, settleSentWrite } from './record-sent';

export interface ConfirmSendDeps {
  readonly sends: Pick<SendLedger, 'confirm' | 'recordSecondCopy'>;
  readonly log: Log;
  /** A confirmed test send tells the waiter it went out (the chase is timed from it; it recovers nothing). */
  readonly carts: Pick<CartStore, 'get' | 'recordReminderOutcome'>;
  readonly rules: RulesSource;
}

/**
 * SES's own record of a reminder it accepted (the configuration set's SEND event, tagged with cart and step). When
 * the sender lost SES's answer, this is what marks the reminder sent and, in the same transaction, counts it, writes
 * its sent time on the cart row and logs it; when the sender heard the answer first, the event finds the reminder
 * sent with this message and changes nothing. A SEND event for another message than the one recorded is a second
 * copy that reached the shopper, and goes on the record as one.
 */
export async function confirmSend(
  event: {
    readonly cartId: string;
    readonly step: ReminderStep;
    readonly messageId: string;
    readonly at: Date;
    /** Sent in test mode (tagged `test`): counted apart from reminders to shoppers. */
    readonly test?: boolean;
  },
  deps: ConfirmSendDeps,
): Promise<'confirmed' | 'already' | 'second_copy' | 'unknown'> {
  const test = event.test === true;
  const rules = await deps.rules.current();
  const facts = sentFacts({
    cartId: event.cartId,
    step: event.step,
    test,
    countAt: event.at,
    acceptedAt: event.at,
    joinsHoldBack: (rules.holdBackPercent ?? 0) > 0,
    entry: {
      at: event.at,
      reason: `${event.step} reminder sent: SES's answer was lost, its SEND event confirms it accepted the message`,
      details: {
        step: event.step,
        messageId: event.messageId,
        confirmedBy: 'ses_event',
        ...(test ? { test: true } : {}),
      },
    },
  });
  const written = await deps.sends.confirm(event.cartId, event.step, event.messageId, event.at, facts);
  await settleSentWrite(
    written,
    { cartId: event.cartId, step: event.step, messageId: event.messageId, at: event.at, test, learntFrom: 'ses_event' },
    deps,
  );
  // The waiter times the chase from a test send too; a real one it reads from the cart row's sent time, written above.
  if (test && written.outcome === 'recorded') await recordConfirmedTestSend(event.cartId, event.step, event.at, deps);
  return written.outcome === 'recorded'
    ? 'confirmed'
    : written.outcome === 'already'
      ? 'already'
      : written.outcome === 'other_message'
        ? 'second_copy'
        : 'unknown';
}
