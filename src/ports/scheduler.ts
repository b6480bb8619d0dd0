import type { WakeUpMessage } from './messages';

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
