import type { ReminderStep } from '../domain/owner-docs/voice';

/** The record of one reminder (cart, step) in cr-sends. */
export interface SendRecord {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly email: string;
  /** `claimed` until SES accepted the message, then `sent`. */
  readonly status: 'claimed' | 'sent';
  readonly claimedAt: string;
  readonly sentAt?: string;
  readonly messageId?: string;
  /** Whether the opening line came from the model (true) or the template (false). */
  readonly polished?: boolean;
  /** Why the plain line was used, when it was. */
  readonly fallbackReason?: string;
}

/**
 * Exactly one email per (cart, step): a conditional claim before SES, the message id after. A claim found without a
 * message id means an earlier attempt may have reached SES; it is never retried (a missing record beats a second email).
 */
export interface SendLedger {
  find(cartId: string, step: ReminderStep): Promise<SendRecord | undefined>;
  /** False when this (cart, step) was claimed before. */
  claim(record: Pick<SendRecord, 'cartId' | 'step' | 'email' | 'claimedAt'>): Promise<boolean>;
  /** Gives a claim back when SES refused the message, so a retry may send it. Never touches a sent record. */
  release(cartId: string, step: ReminderStep): Promise<void>;
  complete(
    cartId: string,
    step: ReminderStep,
    result: Required<Pick<SendRecord, 'sentAt' | 'messageId' | 'polished'>> & Pick<SendRecord, 'fallbackReason'>,
  ): Promise<void>;
  /** When this email last got a reminder about any cart other than `exceptCartId`, since `since`. */
  lastSentTo(email: string, exceptCartId: string, since: Date): Promise<Date | undefined>;
}

/** Defers a reminder to a later time (quiet hours): re-invokes the sender with the same request then. */
export interface SendDeferrals {
  defer(request: { cartId: string; step: ReminderStep; at: Date }): Promise<void>;
}
