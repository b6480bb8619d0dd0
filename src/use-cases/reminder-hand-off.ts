/**
 * The sender's side of the hand-off: which hand-off a reminder request answers, and the verdict it writes on the cart
 * row when the reminder does not reach the shopper through SES's accept (that is `firstSentAt`/`secondSentAt`). The
 * waiter times the next step from these (`domain/cart/moves.ts`), so they are written once per hand-off, conditioned
 * on the hand-off still being the row's latest.
 */
import type { CartRow, ReminderOutcome } from '../domain/cart/cart';
import type { ReminderStep } from '../domain/cart/reminder-step';
import type { CartStore } from '../ports/cart-store';
import type { Log } from '../ports/log';

/** The step the row's latest hand-off was, or undefined for a row the waiter never handed off (sent directly). */
function handedOffStep(cart: CartRow): ReminderStep | undefined {
  if (cart.lastReminderAt === undefined) return undefined;
  return cart.remindersSent === 1 ? 'first' : cart.remindersSent >= 2 ? 'second' : undefined;
}

/**
 * Where a request for `step` stands against the row:
 * - `current`: the row's latest hand-off is this step and nothing has settled it yet (or the row was never handed off
 *   by the waiter: a direct send);
 * - `settled`: this hand-off already has the sender's verdict (returned, skipped, test send): a leftover delivery;
 * - `superseded`: the row's latest hand-off is another step, or none (the sender gave this one back and the waiter
 *   has not handed it off again): the request is a leftover and must send nothing.
 */
export function handOffState(cart: CartRow, step: ReminderStep): 'current' | 'settled' | 'superseded' {
  if (cart.lastReminderAt === undefined) return 'current';
  if (handedOffStep(cart) !== step) return 'superseded';
  const outcome = step === 'first' ? cart.firstOutcome : cart.secondOutcome;
  return outcome !== undefined && outcome.handOffAt === cart.lastReminderAt ? 'settled' : 'current';
}

/**
 * The shopper changed the cart after the waiter handed this reminder off (a held reminder, released hours later, or a
 * change racing the hand-off): the time of that change, else undefined. Such a reminder is not sent: the shopper is
 * still shopping, and the waiter times the reminder from the change.
 */
export function changedSinceHandOff(cart: CartRow, step: ReminderStep): Date | undefined {
  if (handedOffStep(cart) !== step || cart.lastReminderAt === undefined) return undefined;
  const changed = Date.parse(cart.lastChangedAt);
  return changed > Date.parse(cart.lastReminderAt) ? new Date(changed) : undefined;
}

/**
 * Writes the sender's verdict on the row's latest hand-off of `step`, once. A row sent directly (never handed off by
 * the waiter) has no hand-off to answer. A lost race (the row moved on) is only logged: the verdict answers nothing
 * any more.
 */
export async function recordHandOffOutcome(
  cart: CartRow,
  step: ReminderStep,
  outcome: Omit<ReminderOutcome, 'handOffAt'>,
  deps: { readonly carts: Pick<CartStore, 'recordReminderOutcome'>; readonly log: Log },
): Promise<void> {
  if (cart.lastReminderAt === undefined || handedOffStep(cart) !== step) return;
  const written = await deps.carts.recordReminderOutcome(cart.cartId, step, {
    ...outcome,
    handOffAt: cart.lastReminderAt,
  });
  if (!written)
    deps.log.info('hand-off outcome not written: the row has moved on', {
      step,
      outcome: outcome.outcome,
      handOffAt: cart.lastReminderAt,
    });
}

/**
 * A follow-up is never a shopper's only email for a cart: a second reminder to the shopper needs a first one SES
 * accepted for them (`firstSentAt`). A first reminder sent in test mode went to the owner, so once test mode is off
 * the cart's follow-up is skipped. A sentence for the log, or undefined when the follow-up may go.
 */
export function followUpWithoutFirst(cart: CartRow, step: ReminderStep, testMode: boolean): string | undefined {
  if (step !== 'second' || testMode || cart.firstSentAt !== undefined) return undefined;
  const why =
    cart.firstOutcome?.outcome === 'test_sent'
      ? 'the first reminder went to the owner in test mode'
      : 'no first reminder reached the shopper';
  return `${why}: a follow-up is never a shopper's only email, so this cart gets none`;
}

/**
 * SES's SEND event confirmed a test-mode reminder whose answer the sender lost: the waiter times the chase from it as
 * from the sender's own record (`test_sent`), for the row's current hand-off of that step.
 */
export async function recordConfirmedTestSend(
  cartId: string,
  step: ReminderStep,
  at: Date,
  deps: { readonly carts: Pick<CartStore, 'get' | 'recordReminderOutcome'>; readonly log: Log },
): Promise<void> {
  const cart = await deps.carts.get(cartId);
  if (cart)
    await recordHandOffOutcome(cart, step, { outcome: 'test_sent', at: at.toISOString(), reason: 'test' }, deps);
}
