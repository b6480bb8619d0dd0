import type { ReminderStep } from '../domain/cart/reminder-step';
import type { ActivityEntry } from '../domain/cart/activity';

/**
 * The record of one reminder (cart, step) in cr-sends:
 * - `claimed`: an attempt holds a lease on it until `leaseUntil`. Until SES accepted the message, or its own SEND
 *   event said so, nothing is known to be out.
 * - `sent`: SES accepted the message (its answer, or its SEND event when the answer was lost).
 * - `refused`: SES refused the message for good; nothing went out and nothing will.
 */
export interface SendRecord {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly email: string;
  readonly status: 'claimed' | 'sent' | 'refused';
  readonly claimedAt: string;
  /** The attempt that holds (or held) the claim; each sender invocation that claims makes a new one. */
  readonly attempt?: string;
  /** When the claim's lease ends; absent on records written before leases existed. */
  readonly leaseUntil?: string;
  readonly sentAt?: string;
  readonly messageId?: string;
  /** Whether the opening line came from the model (true) or the template (false). */
  readonly polished?: boolean;
  /** Why the plain line was used, when it was. */
  readonly fallbackReason?: string;
  /** How `sent` was learnt: SES's answer, or its SEND event after the answer was lost. */
  readonly confirmedBy?: 'answer' | 'ses_event';
  /** For `refused`: SES's error code. */
  readonly refusal?: string;
}

/** The newest reminder claimed or sent to one address, whichever cart it was about. */
export interface ShopperNudge {
  readonly cartId: string;
  readonly at: Date;
}

/** What a claim attempt found. */
export type ClaimResult =
  | { readonly outcome: 'claimed' }
  /** Another attempt holds a live lease on this reminder, or it has ended (sent or refused). */
  | { readonly outcome: 'taken' }
  /** The address got a reminder about another cart (claimed or sent) since `since`: do-not-disturb. */
  | { readonly outcome: 'do_not_disturb'; readonly nudge: ShopperNudge };

/** One claim request: a lease on (cart, step) and, in the same write, on the shopper's do-not-disturb window. */
export interface ClaimRequest {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly email: string;
  readonly attempt: string;
  readonly now: Date;
  readonly leaseUntil: Date;
  /** Start of the do-not-disturb window: a reminder about another cart to this address since then blocks this one. */
  readonly quietSince: Date;
  /**
   * A test-mode send (to the owner): the shopper's window is checked as for a real send, but not taken, so a test
   * never spends the shopper's do-not-disturb window.
   */
  readonly testMode?: boolean;
}

/**
 * Exactly one email per (cart, step), and one nudge per shopper per do-not-disturb window, atomically.
 *
 * A claim is a lease: it records which attempt took it and until when. The claim and the shopper's window are one
 * conditional write, and an in-flight claim counts as a reminder for the window. A lease that ran out without SES
 * accepting the message (no answer, no SEND event) may be taken over by a new attempt; a live one may not.
 */
export interface SendLedger {
  find(cartId: string, step: ReminderStep): Promise<SendRecord | undefined>;
  /** The address's newest reminder (claimed or sent), read consistently: gate 3's early answer. */
  lastNudge(email: string): Promise<ShopperNudge | undefined>;
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Gives a claim back (nothing went out and the reminder may be tried again): deletes the record if `attempt` still
   * holds it, and hands the shopper's window back to whoever held it before. False when the claim was not this
   * attempt's any more.
   */
  release(cartId: string, step: ReminderStep, attempt: string, email: string): Promise<boolean>;
  /**
   * SES accepted the message (its answer): `sent`, if `attempt` still holds the claim, together with everything that
   * acceptance makes true ({@link SentFacts}), all or nothing.
   */
  complete(
    cartId: string,
    step: ReminderStep,
    attempt: string,
    result: Required<Pick<SendRecord, 'sentAt' | 'messageId' | 'polished'>> & Pick<SendRecord, 'fallbackReason'>,
    facts: SentFacts,
  ): Promise<SentWrite>;
  /** SES refused the message for good: `refused` with its code, and the shopper's window handed back. */
  refuse(cartId: string, step: ReminderStep, attempt: string, email: string, code: string): Promise<boolean>;
  /**
   * SES's own SEND event for a message of this (cart, step): marks a claimed record `sent` (whichever attempt holds
   * it: the event is SES's word that a message went out), with everything that makes true ({@link SentFacts}), all
   * or nothing.
   */
  confirm(cartId: string, step: ReminderStep, messageId: string, at: Date, facts: SentFacts): Promise<SentWrite>;
  /**
   * Records a second copy: SES accepted `messageId` for a reminder already recorded as sent with another message. One
   * record per message (a marker item), its count and its activity entry, all or nothing; false when it was recorded
   * already (the sender's answer and the SEND event both report it).
   */
  recordSecondCopy(copy: SecondCopy): Promise<boolean>;
}

/**
 * What SES accepting one reminder makes true, written in the same transaction as the `sent` record, so that
 * whichever confirmation lands first (the sender's answer, SES's SEND event) writes all of it and the other writes
 * none of it, and a crash can only fall before or after all of it.
 */
export interface SentFacts {
  /** The month counter it counts in, at `countAt` (store time): remindersFirst, remindersSecond or remindersTest. */
  readonly counter: 'remindersFirst' | 'remindersSecond' | 'remindersTest';
  readonly countAt: Date;
  /**
   * The cart row learns when SES accepted the reminder (`firstSentAt`/`secondSentAt`, set once), which is what
   * "recovered" is measured from, and a first reminder sent while the hold-back is on joins the comparison group.
   * Absent in test mode: the email went to the owner, so it recovers nothing.
   */
  readonly cartRow?: { readonly acceptedAt: Date; readonly joinsHoldBack: boolean };
  /** The `sent` entry of the cart's activity log. */
  readonly activity: ActivityEntry;
}

/**
 * What a `sent` write found:
 * - `recorded`: this write ended the claim and recorded everything;
 * - `already`: the reminder was recorded sent with this very message (the other confirmation got there first);
 * - `other_message`: it was recorded sent with another message, so this one is a second copy;
 * - `no_claim`: there is no claim this write may end (refused, given back, or another attempt's).
 */
export type SentWrite =
  | { readonly outcome: 'recorded' | 'already' | 'no_claim' }
  | { readonly outcome: 'other_message'; readonly recordedMessageId: string };

/** A second email for one (cart, step): SES accepted `messageId` after `recordedMessageId` was recorded as sent. */
export interface SecondCopy {
  readonly cartId: string;
  readonly step: ReminderStep;
  readonly messageId: string;
  readonly recordedMessageId: string;
  /** When SES accepted it: the month it counts in (`secondCopies`). */
  readonly at: Date;
  readonly activity: ActivityEntry;
}
