import type { ReminderRequest } from './messages';

/**
 * Hands a reminder to the sender without waiting for it (an async Lambda invoke in AWS, a due-now job locally).
 * Delivery is at-least-once; the sender's claim on (cart, step) makes a repeat harmless.
 */
export interface ReminderQueue {
  handOff(request: ReminderRequest): Promise<void>;
}
