/**
 * What the reminders did, read from the cart row: which carts were recovered (bought after a reminder that reached
 * the shopper) and, with the owner's hold-back on, how each comparison group fared. Pure; the sender, intake and the
 * recount all decide with these functions, so the counters and the recount cannot disagree about a rule.
 */
import type { CartRow } from '../cart/cart';
import type { Rules } from '../owner-docs/rules';
import type { CounterIncrement } from './summary';

const MINUTE_MS = 60_000;
/** The times SES accepted this cart's reminders, earliest first. */
export function sentReminderTimes(cart: Pick<CartRow, 'firstSentAt' | 'secondSentAt'>): number[] {
  return [cart.firstSentAt, cart.secondSentAt]
    .map((at) => (at === undefined ? Number.NaN : Date.parse(at)))
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
}

function checkoutMs(cart: Pick<CartRow, 'status' | 'checkedOutAt'>): number | undefined {
  if (cart.status !== 'checked_out' || cart.checkedOutAt === undefined) return undefined;
  const ms = Date.parse(cart.checkedOutAt);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Recovered: checked out at or after a reminder SES accepted, and no later than the recovery window
 * (`giveUpAfterMinutes`) after it. A reminder that was skipped, held for quiet hours and then not sent, or held
 * during a pause never reached the shopper, so it recovers nothing. A checkout without a known time is not counted.
 */
export function isRecovered(
  cart: Pick<CartRow, 'status' | 'checkedOutAt' | 'firstSentAt' | 'secondSentAt'>,
  rules: Pick<Rules, 'giveUpAfterMinutes'>,
): boolean {
  const bought = checkoutMs(cart);
  if (bought === undefined) return false;
  const window = rules.giveUpAfterMinutes * MINUTE_MS;
  return sentReminderTimes(cart).some((sent) => bought >= sent && bought <= sent + window);
}

/**
 * For a cart in the hold-back comparison: checked out within the recovery window of the moment its first reminder
 * was sent (`reminded`) or would have been (`held_back`). The same clock for both groups, so they compare fairly.
 */
export function cameBack(
  cart: Pick<CartRow, 'status' | 'checkedOutAt' | 'holdBack'>,
  rules: Pick<Rules, 'giveUpAfterMinutes'>,
): boolean {
  const bought = checkoutMs(cart);
  if (bought === undefined || cart.holdBack === undefined) return false;
  const from = Date.parse(cart.holdBack.at);
  return !Number.isNaN(from) && bought >= from && bought <= from + rules.giveUpAfterMinutes * MINUTE_MS;
}

/** Increments that count in the month `at` falls in. */
export interface AttributedCounts {
  readonly at: Date;
  readonly increments: readonly CounterIncrement[];
}

/**
 * What one write to a cart row adds to the counters: each fact is counted by the one write that makes it true
 * (a checkout after a sent reminder, or a send recorded after the checkout), so whichever of the two lands second
 * counts it, once.
 * - recovered (and its money, order total else cart total): in the month of the checkout;
 * - a hold-back group joined, and a comparison cart that came back: in the month the cart joined its group.
 */
export function attributionCounts(
  before: CartRow | undefined,
  after: CartRow,
  rules: Pick<Rules, 'giveUpAfterMinutes'>,
): AttributedCounts[] {
  const counts: AttributedCounts[] = [];
  if (
    isRecovered(after, rules) &&
    !(before !== undefined && isRecovered(before, rules)) &&
    after.checkedOutAt !== undefined
  ) {
    const value = after.orderTotal ?? after.total;
    counts.push({
      at: new Date(after.checkedOutAt),
      increments: [{ counter: 'recovered', currency: value.currency, minor: value.minor }],
    });
  }
  const group = after.holdBack;
  if (group !== undefined) {
    const at = new Date(group.at);
    const held = group.group === 'held_back';
    if (before?.holdBack === undefined)
      counts.push({ at, increments: [{ counter: held ? 'heldBack' : 'holdBackReminded' }] });
    if (cameBack(after, rules) && !(before !== undefined && cameBack(before, rules))) {
      counts.push({ at, increments: [{ counter: held ? 'heldBackReturned' : 'holdBackRemindedReturned' }] });
    }
  }
  return counts;
}
