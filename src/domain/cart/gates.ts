import { DateTime } from 'luxon';
import type { CartRow } from './cart';
import { isHeldBack } from './hold-back';
import { isValidTimeZone, localTimeZone, quietHoursDeferral } from './quiet-hours';
import type { OwnerStop, Rules } from '../owner-docs/rules';
import type { ReminderStep } from './reminder-step';

/**
 * The sender's guardrails as one pure decision: given the cart as it is now, the owner's rules and the shopper's
 * opt-out, should this reminder go out now, later, or not at all?
 *
 * Order (the first check that fails decides):
 * 1. Recipient — the cart must carry an email address, and must still be open. The open-status check belongs to
 *    the spec's gate 3, but it runs here, before quiet hours, on purpose: a cart that was bought (or stopped, or
 *    given up) is final, so deferring it overnight only to skip it in the morning would schedule a pointless
 *    wake-up and log a misleading "deferred". It is reported as gate 1.
 * 2. Quiet hours — in the shopper's zone when the cart gives a valid one, else the store's; defers, never drops.
 * 3. Do not disturb — shopper opt-out, the owner's stops, pause, consent, the per-address frequency cap, and last
 *    the owner's hold-back (a fixed share of the carts that would otherwise be reminded, chosen by cart id).
 *    These run after quiet hours so that a deferred send is judged at the time it would actually go out (the
 *    frequency cap in particular may have lapsed by morning). The deferred invocation re-runs every gate.
 * 4. Compose — nothing left to refuse: the sender composes the email (src/domain/email/compose.ts, which greets the
 *    shopper in the voice doc's words).
 */

/** Why a reminder is not sent. Stable codes for logs and the cr-sends row. */
export type SkipReason =
  | 'no_address'
  | 'checked_out'
  | 'not_open'
  | 'unsubscribed'
  | 'owner_stopped_cart'
  | 'owner_stopped_shopper'
  | 'paused'
  | 'no_consent'
  | 'do_not_disturb'
  | 'held_back';

/** Everything one send decision needs; the caller reads it fresh on every invocation, deferred ones included. */
export interface GateInput {
  readonly cart: CartRow;
  readonly step: ReminderStep;
  readonly rules: Rules;
  readonly now: Date;
  /** The shopper's unsubscribe: from this cart's reminders, or from all reminders. */
  readonly optOut: 'cart' | 'all' | undefined;
  /**
   * Newest reminder sent to this email for any OTHER cart. This cart's own first reminder must not count: the
   * do-not-disturb window (days) is longer than the wait before the follow-up (hours), and the follow-up is
   * part of the same gentle nudge, not a second barrage.
   */
  readonly lastReminderToEmailAt: Date | undefined;
}

/** Outcome of the gates. `detail` is one human sentence for the log. */
export type GateDecision =
  | { readonly action: 'send' }
  | {
      readonly action: 'skip';
      readonly gate: 1 | 2 | 3;
      readonly reason: SkipReason;
      readonly detail: string;
      /** The owner's own words, for owner stops and the pause. */
      readonly ownerReason?: string;
    }
  | { readonly action: 'defer'; readonly gate: 2; readonly until: Date; readonly detail: string };

type SkipDecision = Extract<GateDecision, { action: 'skip' }>;

const MINUTE_MS = 60_000;
const PLAUSIBLE_EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Runs the gates in order; see the module comment for why the open-status check comes before quiet hours.
 *
 * @throws QuietHoursError when the rules' quiet window or the store's zone cannot be read (a rules-doc mistake).
 */
export function decideSend(input: GateInput): GateDecision {
  return recipientGate(input) ?? quietHoursGate(input) ?? doNotDisturbGate(input) ?? { action: 'send' };
}

function skip(gate: 1 | 2 | 3, reason: SkipReason, detail: string, ownerReason?: string): SkipDecision {
  return ownerReason === undefined
    ? { action: 'skip', gate, reason, detail }
    : { action: 'skip', gate, reason, detail, ownerReason };
}

function recipientGate({ cart }: GateInput): GateDecision | undefined {
  const email = cart.email?.trim();
  if (!email) return skip(1, 'no_address', 'cart has no email address; never guessed');
  if (!PLAUSIBLE_EMAIL.test(email)) return skip(1, 'no_address', 'cart email is not a usable address; never guessed');
  if (cart.status === 'checked_out')
    return skip(1, 'checked_out', 'cart was checked out; no reminder after a purchase');
  if (cart.status !== 'open') {
    const why = cart.stopReason ? ` (${cart.stopReason})` : '';
    return skip(1, 'not_open', `cart is ${cart.status}${why}; the chase is over`);
  }
  return undefined;
}

function quietHoursGate({ cart, rules, now }: GateInput): GateDecision | undefined {
  const shopperZone = isValidTimeZone(cart.timeZone);
  const zone = localTimeZone(cart.timeZone, rules.store.timeZone);
  const end = quietHoursDeferral(now, zone, rules.quietHours);
  if (end === undefined) return undefined;
  // The morning's release starts here; the sender gives each held reminder its own place in it
  // (src/domain/cart/release.ts).
  const until = end;
  const whose = shopperZone ? "shopper's zone" : "store's zone";
  const localNow = DateTime.fromJSDate(now, { zone }).toFormat('HH:mm');
  const localUntil = DateTime.fromJSDate(until, { zone }).toFormat('HH:mm');
  const { start, end: windowEnd } = rules.quietHours;
  return {
    action: 'defer',
    gate: 2,
    until,
    detail:
      `quiet hours ${start}-${windowEnd} in ${zone} (${whose}), local time ${localNow}; deferred ` +
      `to ${localUntil} local (${until.toISOString()}), when the morning's release begins`,
  };
}

function doNotDisturbGate({
  cart,
  step,
  rules,
  now,
  optOut,
  lastReminderToEmailAt,
}: GateInput): GateDecision | undefined {
  if (optOut === 'all') return skip(3, 'unsubscribed', 'shopper unsubscribed from all reminders');
  if (optOut === 'cart') return skip(3, 'unsubscribed', "shopper unsubscribed from this cart's reminders");

  const cartStop = rules.stoppedCarts.find((stop) => stop.target.trim() === cart.cartId);
  if (cartStop)
    return skip(
      3,
      'owner_stopped_cart',
      `owner stopped this cart${where(cartStop)}: ${cartStop.reason}`,
      cartStop.reason,
    );

  const email = cart.email?.trim().toLowerCase();
  const shopperStop = rules.stoppedEmails.find((stop) => stop.target.trim().toLowerCase() === email);
  if (shopperStop) {
    return skip(
      3,
      'owner_stopped_shopper',
      `owner stopped reminders to this shopper${where(shopperStop)}: ${shopperStop.reason}`,
      shopperStop.reason,
    );
  }

  if (rules.pause)
    return skip(
      3,
      'paused',
      `owner paused all reminders${where(rules.pause)}: ${rules.pause.reason}`,
      rules.pause.reason,
    );

  if (rules.requireMarketingConsent && cart.marketingConsent === false) {
    return skip(3, 'no_consent', 'shopper declined marketing and the rules require consent');
  }
  // Stripe sessions: promotional consent (`consent.promotions: opt_in`) unless the owner turned the rule off.
  if (cart.source === 'stripe' && rules.stripeRequiresConsent !== false && cart.marketingConsent !== true) {
    const what =
      cart.marketingConsent === false
        ? 'declined promotional email at Stripe Checkout'
        : 'gave no promotional consent at Stripe Checkout';
    return skip(3, 'no_consent', `shopper ${what} and the rules require it for Stripe`);
  }
  // "Send only with consent" (opt-in): unknown consent means no email. Rules stored before the setting read as off.
  if (rules.sendOnlyWithConsent === true && cart.marketingConsent !== true) {
    const what = cart.marketingConsent === false ? 'declined marketing' : 'gave no marketing consent';
    return skip(3, 'no_consent', `shopper ${what} and the rules send only with consent`);
  }

  if (
    lastReminderToEmailAt !== undefined &&
    withinDoNotDisturb(lastReminderToEmailAt, now, rules.doNotDisturbMinutes)
  ) {
    return skip(
      3,
      'do_not_disturb',
      `this address got a reminder at ${lastReminderToEmailAt.toISOString()}, within ` +
        `the ${rules.doNotDisturbMinutes}-minute do-not-disturb window`,
    );
  }
  // Last, so only carts that would otherwise be reminded are held back. Chosen at the first reminder by cart id; a
  // held-back cart stays held back for its second, whatever the setting says by then.
  const heldBack =
    step === 'first' ? isHeldBack(cart.cartId, rules.holdBackPercent) : cart.holdBack?.group === 'held_back';
  if (heldBack) {
    const share = rules.holdBackPercent ? ` (Hold back: ${rules.holdBackPercent}% of carts)` : '';
    return skip(
      3,
      'held_back',
      `held back for the owner's comparison${share}: this cart gets no reminder, ` +
        `so the summary can show what reminders add`,
    );
  }
  return undefined;
}

/** A reminder stamped in the future (clock skew) counts as recent: when unsure, stay quiet. */
function withinDoNotDisturb(last: Date, now: Date, minutes: number): boolean {
  return minutes > 0 && now.getTime() - last.getTime() < minutes * MINUTE_MS;
}

function where(stop: OwnerStop): string {
  return stop.line === undefined ? '' : ` (rules doc line ${stop.line})`;
}
