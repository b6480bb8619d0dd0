import type { ReminderRequest, WakeUpMessage } from './messages';

/**
 * A one-off wake-up of the waiter for one cart, at `at`: the message it delivers, whose `seq` is the cart row's
 * wakeSeq it belongs to (the waiter ignores any other number).
 */
export interface WakeUp extends WakeUpMessage {
  readonly at: Date;
}

/**
 * Schedules waiter wake-ups. EventBridge Scheduler in AWS, a durable DynamoDB-backed scheduler locally.
 * Both calls are idempotent: scheduling the same (cart, seq) twice leaves one schedule; cancelling a wake-up that
 * already fired or never existed is fine.
 */
export interface WakeUpScheduler {
  schedule(wakeUp: WakeUp): Promise<void>;
  cancel(cartId: string, seq: number): Promise<void>;
}

/**
 * Why the sender is to run again later for the same reminder. `sandbox`: SES is still in the sandbox (or the sending
 * identity is unverified), so the reminder is held until the account can send to shoppers.
 */
export type DeferralReason = 'quiet_hours' | 'throttled' | 'paused' | 'owner_paused' | 'sandbox' | 'lease';

/**
 * Runs the sender again for the same reminder at `at`: after quiet hours, after a throttle, while the provider is
 * paused or still in the sandbox, and when a claim's lease runs out (to settle it). `retry` counts the throttles,
 * pauses and sandbox holds so far.
 */
export interface Deferral extends ReminderRequest {
  readonly at: Date;
  readonly reason: DeferralReason;
}

/** What names one deferral: the same cart, step, time and reason make the same deferral. */
export type DeferralKey = Pick<Deferral, 'cartId' | 'step' | 'at' | 'reason'>;

/** Runs the sender again later for the same reminder (EventBridge Scheduler in AWS, the job table locally). */
export interface SendDeferrals {
  defer(request: Deferral): Promise<void>;
  /** Withdraws a deferral made with the same cart, step, time and reason; nothing happens if it is gone already. */
  withdraw(request: DeferralKey): Promise<void>;
}
