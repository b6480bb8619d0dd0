/**
 * The messages between functions, each as one zod schema and the type inferred from it: what a writer puts on the
 * wire (the EventBridge Scheduler adapter, the waiter's hand-off, the local scheduler) and what the reader's handler
 * parses are the same declaration.
 */
import * as z from 'zod';
import { REMINDER_STEPS } from '../domain/cart/reminder-step';

/**
 * What the sender is asked to do: one reminder (cart, step). Delivered by the waiter's hand-off and by a deferral
 * (quiet hours, a throttle, a pause, a lease's end).
 */
export const reminderRequestSchema = z.object({
  cartId: z.string().min(1).max(256),
  step: z.enum(REMINDER_STEPS),
  /** Throttles, pauses and sandbox holds met so far. */
  retry: z.number().int().min(0).max(1_000).optional(),
  /** The release (an ISO instant) a reminder held for quiet hours has its place in. */
  releaseAt: z.iso.datetime().optional(),
});

/** One reminder invocation: the cart, the step, and how many throttles or pauses it has met so far. */
export type ReminderRequest = Readonly<z.infer<typeof reminderRequestSchema>>;

/** Exactly the fields of a {@link ReminderRequest}, as they go on the wire (whatever else `request` carries). */
export function reminderMessage(request: ReminderRequest): ReminderRequest {
  return {
    cartId: request.cartId,
    step: request.step,
    ...(request.retry !== undefined ? { retry: request.retry } : {}),
    ...(request.releaseAt !== undefined ? { releaseAt: request.releaseAt } : {}),
  };
}

/** What a wake-up schedule delivers to the waiter: the cart and the wake-up's sequence number. */
export const wakeUpMessageSchema = z.object({
  cartId: z.string().min(1).max(256),
  seq: z.number().int().min(1),
});

/** One wake-up of the waiter for one cart. */
export type WakeUpMessage = Readonly<z.infer<typeof wakeUpMessageSchema>>;

/** Exactly the fields of a {@link WakeUpMessage}, as they go on the wire (whatever else `wakeUp` carries). */
export function wakeUpMessage(wakeUp: WakeUpMessage): WakeUpMessage {
  return { cartId: wakeUp.cartId, seq: wakeUp.seq };
}
