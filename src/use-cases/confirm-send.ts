import type { ReminderStep } from '../domain/owner-docs/voice';
import type { ActivityLog } from '../ports/activity-log';
import type { Log } from '../ports/log';
import type { SendLedger } from '../ports/send-ledger';
import type { Stats } from '../ports/stats';
import type { CartStore } from '../ports/cart-store';
import type { RulesSource } from '../ports/owner-docs';
import { recordReminderFact } from './record-reminder';
import { recordConfirmedTestSend } from './reminder-hand-off';

export interface ConfirmSendDeps {
  readonly sends: Pick<SendLedger, 'confirm'>;
  readonly activity: ActivityLog;
  readonly stats: Stats;
  readonly log: Log;
  /** The cart row learns of the send (for recovery), as it does when the sender hears SES's answer. */
  readonly carts: Pick<CartStore, 'recordReminder' | 'get' | 'recordReminderOutcome'>;
  readonly rules: RulesSource;
}

/**
 * SES's own record of a reminder it accepted (the configuration set's SEND event, tagged with cart and step). When
 * the sender lost SES's answer, this is what marks the reminder sent, counts it and logs it; when the sender heard
 * the answer, the event finds the reminder sent already and changes nothing.
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
): Promise<'confirmed' | 'already' | 'unknown'> {
  const result = await deps.sends.confirm(event.cartId, event.step, event.messageId, event.at);
  if (result === 'confirmed') {
    await deps.stats.add(event.at, { counter: event.test === true ? 'remindersTest' : event.step === 'first' ? 'remindersFirst' : 'remindersSecond' });
    if (event.test !== true) {
      // A test reminder went to the owner, not the shopper: it recovers nothing.
      const rules = await deps.rules.current();
      const fact = { kind: 'sent', step: event.step, at: event.at, joinsHoldBack: (rules.holdBackPercent ?? 0) > 0 } as const;
      await recordReminderFact(event.cartId, fact, rules, deps);
    } else {
      // The waiter times the chase from a test send too (it recovers nothing).
      await recordConfirmedTestSend(event.cartId, event.step, event.at, deps);
    }
    await deps.activity.record({
      cartId: event.cartId,
      at: event.at,
      actor: 'sender',
      action: 'sent',
      reason: `${event.step} reminder sent: SES's answer was lost, its SEND event confirms it accepted the message`,
      details: { step: event.step, messageId: event.messageId, confirmedBy: 'ses_event' },
    });
  } else if (result === 'unknown') {
    // A message SES accepted for a reminder we hold no open claim for: something sent outside the ledger. Loud.
    deps.log.error('SES SEND event for a reminder with no claim', { cartId: event.cartId, step: event.step, messageId: event.messageId });
  }
  return result;
}
