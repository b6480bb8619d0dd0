/** A one-off wake-up of the waiter for one cart. */
export interface WakeUp {
  readonly cartId: string;
  /** The cart row's wakeSeq this wake-up belongs to; the waiter ignores any other number. */
  readonly seq: number;
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
