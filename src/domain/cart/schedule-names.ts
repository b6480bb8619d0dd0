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

/**
 * A reminder deferred to `at`: after quiet hours (`defer-`, to the minute), after a throttle, a pause (the SES
 * account's or the owner's) or a sandbox hold (`retry-`), or
 * to settle a claim when its lease ends (`lease-`), to the second. The time keeps each apart from the others, and a
 * retried invocation that computes the same time finds its schedule already there.
 */
export function deferScheduleName(
  cartId: string,
  step: string,
  at: Date,
  reason: 'quiet_hours' | 'throttled' | 'paused' | 'owner_paused' | 'sandbox' | 'lease' = 'quiet_hours',
): string {
  if (reason === 'quiet_hours') return `defer-${cartHash(cartId)}-${step}-${Math.floor(at.getTime() / 60_000)}`;
  const prefix = reason === 'lease' ? 'lease' : 'retry';
  return `${prefix}-${cartHash(cartId)}-${step}-${Math.floor(at.getTime() / 1000)}`;
}

function cartHash(cartId: string): string {
  return createHash('sha256').update(cartId).digest('base64url').slice(0, 32);
}
