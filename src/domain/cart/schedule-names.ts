import { createHash } from 'node:crypto';

/*
 * Deterministic schedule names, so a retried create is recognised as "already scheduled" instead of making a
 * second schedule. Scheduler names allow 64 characters of [0-9a-zA-Z-_.]; cart ids are free-form, so they are hashed.
 */

/** The waiter's wake-up number `seq` for a cart. */
export function wakeUpScheduleName(cartId: string, seq: number): string {
  return `wake-${cartHash(cartId)}-${seq}`;
}

/** A reminder handed to (or deferred for) the sender: one per cart and step while pending. */
export function sendScheduleName(cartId: string, step: string): string {
  return `send-${cartHash(cartId)}-${step}`;
}

/** A quiet-hours deferral of a reminder to `at`; the time keeps it apart from the hand-off that caused it. */
export function deferScheduleName(cartId: string, step: string, at: Date): string {
  return `defer-${cartHash(cartId)}-${step}-${Math.floor(at.getTime() / 60_000)}`;
}

function cartHash(cartId: string): string {
  return createHash('sha256').update(cartId).digest('base64url').slice(0, 32);
}
