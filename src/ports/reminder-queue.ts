import type { ReminderStep } from '../domain/owner-docs/voice';

/** What the waiter hands the sender: which cart, which reminder. */
export interface ReminderRequest {
  readonly cartId: string;
  readonly step: ReminderStep;
}

/**
 * Hands a reminder to the sender without waiting for it (an async Lambda invoke in AWS, a due-now job locally).
 * Delivery is at-least-once; the sender's claim on (cart, step) makes a repeat harmless.
 */
export interface ReminderQueue {
  handOff(request: ReminderRequest): Promise<void>;
}
