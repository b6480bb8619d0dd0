/**
 * The waiter's decision: what one wake-up does to one cart. Pure — the row, the rules, the delivered sequence
 * number and "now" come in; a decision and the row's next state come out. The waiter Lambda only reads the row,
 * calls {@link decideWake}, persists {@link applyWakeDecision} with a condition on the old `wakeSeq`, hands
 * reminders to the sender and creates the next one-off schedule.
 *
 * Timing, in one place:
 * - The anchor of the next step is the LATER of the last cart change and the last reminder the email service
 *   ACCEPTED (`firstSentAt`/`secondSentAt`, written by the sender on SES's answer or by SES's SEND event; a test-mode
 *   send counts from its own accept). Never the hand-off: a reminder held overnight for quiet hours goes out in the
 *   morning, and the follow-up is timed from then. A shopper who came back and edited the cart is still shopping, so
 *   every wait restarts from their latest sign of life.
 * - First reminder: anchor + `waits[size].firstMinutes`; second: anchor + `waits[size].secondMinutes`. The size is
 *   judged at wake time from the current total ({@link cartSize}).
 * - After a hand-off the waiter does not know yet when (or whether) the email goes out, so its next wake-up is a
 *   settle check: when the sender should have run it (after quiet hours, if the hand-off fell in them) plus
 *   {@link SETTLE_GRACE_MINUTES}, then hourly. It then finds one of: sent (time the next step from the accept),
 *   skipped (a skipped first reminder ends the chase: a follow-up is never a shopper's only email), returned (the
 *   shopper changed the cart after the hand-off: the hand-off is not counted and the reminder is timed from the
 *   change), or still held (look again). Nothing settled within the give-up window after the hand-off: give up.
 * - Give up: once `remindersSent >= min(rules.maxReminders, HARD_REMINDER_CAP)`, at anchor + `giveUpAfterMinutes`
 *   (7 days by default): a week after the later of the last change and the last email that went out.
 * - "Due" is inclusive: a wake-up at exactly the due time acts.
 */
import type { CartRow, CartStatus, StoppedBy } from './cart';
import { normaliseEmail } from './cart';
import { formatMoney, type Money } from './money';
import { localTimeZone, quietHoursDeferral } from './quiet-hours';
import { cartSize, HARD_REMINDER_CAP, type CartSize, type OwnerStop, type Rules } from '../owner-docs/rules';
import type { ReminderStep } from './reminder-step';

/** The four moves a wake-up can make on an open cart. There is no fifth. */
export type MoveName = 'still_shopping' | 'first_reminder' | 'second_reminder' | 'give_up';

/**
 * What one wake-up decided.
 * - `move`: the cart is open and the wake-up is current; exactly one of the four moves. `nextWakeAt` is set for
 *   `still_shopping` and the reminders (the exact moment the next step is due), `step` for the reminders.
 * - `ended`: the chase is over (checked out, stopped, given up, owner stop, opt-out). Nothing is sent or scheduled;
 *   `record` says the row must still be written (to mark the stop, or to clear a wake-up that is no longer pending).
 * - `stale`: the delivered sequence number is not the row's `wakeSeq` (a duplicate or superseded delivery): do nothing.
 */
export type WakeDecision =
  | {
      readonly kind: 'move';
      readonly move: MoveName;
      /** A sentence for the activity log. */
      readonly reason: string;
      /** When the next wake-up must fire; set for `still_shopping`, `first_reminder` and `second_reminder`. */
      readonly nextWakeAt?: Date;
      /** Which reminder the sender should send; set for `first_reminder` and `second_reminder`. */
      readonly step?: ReminderStep;
      /**
       * The sender gave the last hand-off back (the shopper changed the cart after it): it no longer counts against
       * the cap, so the row's `remindersSent` goes down by one before this move is applied.
       */
      readonly retractsHandOff?: true;
    }
  | {
      readonly kind: 'ended';
      /** A sentence for the activity log; carries the owner's reason for owner stops. */
      readonly reason: string;
      /** The status the row has (or must get, when `record` is true). */
      readonly status: CartStatus;
      /** True when the row must be updated: the stop is not recorded yet, or a wake-up still shows as pending. */
      readonly record: boolean;
      /**
       * What to store as the row's `stopReason` when recording: the owner's own words for an owner stop, a short
       * label for an opt-out. Defaults to `reason` when absent.
       */
      readonly stopReason?: string;
      /** Who stopped the chase, for new stops: an owner's stop is undone when its line leaves the rules doc. */
      readonly stoppedBy?: StoppedBy;
    }
  | { readonly kind: 'stale'; readonly reason: string };

/** Input of {@link decideWake}. */
export interface WakeInput {
  /** The cart row as read at wake time. */
  readonly cart: CartRow;
  /** The sequence number the schedule carried (`{cartId, seq}` payload). */
  readonly wakeSeq: number;
  /** The rules in force at wake time (owner stops included). */
  readonly rules: Rules;
  /** The wake-up's clock; never read from the system inside the domain. */
  readonly now: Date;
  /** The shopper unsubscribed from this cart (`cart`) or from everything (`all`). */
  readonly optOut?: 'cart' | 'all';
}

const MINUTE_MS = 60_000;
/** While the owner's pause lasts, a held reminder is looked at again this often (one schedule each time). */
export const PAUSE_RECHECK_MINUTES = 60;
/** After a hand-off, the waiter looks again this long after the sender should have run it (SES answers in seconds). */
export const SETTLE_GRACE_MINUTES = 5;
/** A handed-off reminder still not settled (held by a pause, the sandbox, a slow throttle) is looked at this often. */
export const SETTLE_RECHECK_MINUTES = 60;

/**
 * Decides what one wake-up does. Checks, in order:
 * 1. the delivered `wakeSeq` must equal the row's `wakeSeq`, else `stale` (at-least-once delivery: duplicates and
 *    superseded schedules do nothing at all — not even record a stop, the current wake-up will);
 * 2. a row that is no longer `open` is `ended` with its own status (checkout wins over any later stop);
 * 3. an opt-out, then an owner stop by cart id, then by email, ends the chase as `stopped` (recorded);
 * 4. otherwise one of the four moves, by the timing rules in this module's header. A pause does not end the chase:
 *    a reminder that falls due while the owner's pause lasts is held (`still_shopping`, looked at again every
 *    {@link PAUSE_RECHECK_MINUTES} minutes), neither handed off nor counted, and given up only once it would come
 *    later than the give-up window after its anchor.
 *
 * Give-up moment: `giveUpAfterMinutes` (default 7 days) after the later of the last change and the last reminder the
 * email service accepted, once `min(rules.maxReminders, HARD_REMINDER_CAP)` reminders were handed off and settled; at
 * once when the first reminder was skipped; `giveUpAfterMinutes` after a hand-off that never settled.
 *
 * @throws Error when `now`, `lastChangedAt` or `lastReminderAt` is not a valid time (a corrupt row must not be
 *   silently chased or silently dropped).
 */
export function decideWake(input: WakeInput): WakeDecision {
  const { cart, rules, now } = input;
  const nowMs = validTime(now.getTime(), 'now');

  if (cart.wakeSeq === undefined || input.wakeSeq !== cart.wakeSeq) {
    const pending = cart.wakeSeq === undefined ? 'no wake-up is recorded' : `the current wake-up is #${cart.wakeSeq}`;
    return {
      kind: 'stale',
      reason: `stale wake-up #${input.wakeSeq} for cart ${cart.cartId}: ${pending}; nothing to do`,
    };
  }

  if (cart.status !== 'open') return endedRow(cart);

  const stop = chaseStop(cart, rules, input.optOut);
  if (stop) {
    return {
      kind: 'ended',
      status: 'stopped',
      record: true,
      reason: `${stop.log}; no reminder, nothing scheduled`,
      stopReason: stop.stopReason,
      stoppedBy: stop.stoppedBy,
    };
  }

  const settlement = settlementOf(cart);
  const giveUpMs = minutesMs(rules.giveUpAfterMinutes);

  // A reminder handed to the sender and not settled yet (held for quiet hours, a pause, a throttle, the sandbox, or
  // on its way): the next step is timed from when the email service accepts it, so the waiter looks again.
  if (settlement.kind === 'pending') {
    const { step, handOffMs } = settlement;
    const tooLateAt = handOffMs + giveUpMs;
    if (nowMs >= tooLateAt) {
      return {
        kind: 'move',
        move: 'give_up',
        reason:
          `the ${step} reminder handed to the sender at ${iso(handOffMs)} was neither sent nor ended ` +
          `within ${duration(rules.giveUpAfterMinutes)}: giving up`,
      };
    }
    const recheck = Math.min(tooLateAt, settleCheckAt(cart, rules, handOffMs, nowMs));
    return {
      kind: 'move',
      move: 'still_shopping',
      reason:
        `the ${step} reminder handed to the sender at ${iso(handOffMs)} has not gone out yet (held or on its ` +
        `way); the next step counts from when the email service accepts it: looking again at ${iso(recheck)}`,
      nextWakeAt: new Date(recheck),
    };
  }

  // A follow-up is never a shopper's only email: a first reminder that was not sent ends the chase.
  if (settlement.kind === 'skipped' && settlement.step === 'first') {
    return {
      kind: 'move',
      move: 'give_up',
      reason:
        `the first reminder was not sent (${settlement.reason.replace(/_/g, ' ')}, ` +
        `decided at ${shortIso(settlement.at)}); a follow-up is never a shopper's only email, ` +
        `so the chase ends here: giving up`,
    };
  }

  // The sender gave the hand-off back (the shopper changed the cart after it): it is not counted, and the reminder is
  // timed from the change like any other.
  const retracts = settlement.kind === 'returned';
  const timing = nextStep(cart, rules, retracts ? cart.remindersSent - 1 : cart.remindersSent);
  const handedText = retracts
    ? `the sender gave back the ${settlement.step} reminder handed off at ${iso(settlement.handOffMs)} ` +
      `(${settlement.why}), not counted; `
    : '';
  const retract = retracts ? { retractsHandOff: true as const } : {};
  const counted = timing.handed;

  if (timing.step === undefined) {
    const due = timing.anchorMs + giveUpMs;
    const what =
      `${handedText}give-up due ${duration(rules.giveUpAfterMinutes)} after ${timing.anchorText} ` +
      `(${timing.emails} of ${timing.cap} reminders sent)`;
    if (nowMs >= due) {
      const reason =
        `${handedText}no checkout within ${duration(rules.giveUpAfterMinutes)} of ${timing.anchorText} ` +
        `(${timing.emails} of ${timing.cap} reminders sent): giving up`;
      return { kind: 'move', move: 'give_up', reason, ...retract };
    }
    return {
      kind: 'move',
      move: 'still_shopping',
      reason: `${what}: not yet, waking again at ${iso(due)}`,
      nextWakeAt: new Date(due),
      ...retract,
    };
  }

  const wait = timing.step === 'first' ? timing.waits.firstMinutes : timing.waits.secondMinutes;
  const due = timing.anchorMs + minutesMs(wait);
  const what =
    `${handedText}${describeSize(cart.total, rules, timing.size)}: ${timing.step} reminder ` +
    `due ${duration(wait)} after ${timing.anchorText}`;
  if (nowMs < due) {
    return {
      kind: 'move',
      move: 'still_shopping',
      reason: `${what}: not yet, waking again at ${iso(due)}`,
      nextWakeAt: new Date(due),
      ...retract,
    };
  }

  // A reminder due during the owner's pause is held, not spent: nothing is handed off or counted, so after the pause
  // the chase goes on from where it stood (the first reminder is still the first). Once the give-up window has
  // passed since the anchor, the reminder would come too late to make sense, and the cart is given up instead.
  if (rules.pause) {
    const tooLateAt = timing.anchorMs + giveUpMs;
    const paused =
      `the owner paused reminders${rules.pause.line === undefined ? '' : ` (rules doc line ${rules.pause.line})`}: ` +
      `"${rules.pause.reason}"`;
    if (nowMs >= tooLateAt) {
      return {
        kind: 'move',
        move: 'give_up',
        reason:
          `${what}, held since ${iso(due)} because ${paused}; it is now more ` +
          `than ${duration(rules.giveUpAfterMinutes)} after ${timing.anchorText}, too late for a reminder: giving up`,
        ...retract,
      };
    }
    const recheck = Math.min(nowMs + minutesMs(PAUSE_RECHECK_MINUTES), tooLateAt);
    return {
      kind: 'move',
      move: 'still_shopping',
      reason: `${what}, held because ${paused}; not sent and not counted, checking again at ${iso(recheck)}`,
      nextWakeAt: new Date(recheck),
      ...retract,
    };
  }

  // The next step is timed from when the email service accepts this reminder, which only the sender learns: the
  // waiter looks again once the sender should have run (after quiet hours, if the hand-off falls in them).
  const next = settleCheckAt(cart, rules, nowMs, nowMs);
  return {
    kind: 'move',
    move: timing.step === 'first' ? 'first_reminder' : 'second_reminder',
    step: timing.step,
    reason:
      `${what}: handing off the ${timing.step} reminder (${counted + 1} of ${timing.cap}); next wake-up ` +
      `at ${iso(next)} to time the ${counted + 1 < timing.cap ? 'second reminder' : 'give-up'} from when it is sent`,
    nextWakeAt: new Date(next),
    ...retract,
  };
}

/**
 * When intake should schedule a cart's first wake-up: its last change plus the first wait for its current size.
 * Later changes need no new schedule — the waiter restarts the clock from the latest change when it wakes.
 */
export function firstWakeUpAt(cart: Pick<CartRow, 'total' | 'lastChangedAt'>, rules: Rules): Date {
  const changedMs = parseIso(cart.lastChangedAt, 'lastChangedAt');
  const size = cartSize(cart.total.minor, rules);
  return new Date(changedMs + minutesMs(rules.waits[size].firstMinutes));
}

/**
 * When the first wake-up fires: the earliest moment the merged cart could be due, its last change plus the shortest
 * first wait of any size. Later events only move the due time later (a newer change) or change the size, so the waiter
 * is never late, wherever the events arrive; it then times the reminder from the merged row (`still_shopping` until
 * the exact due time), which is what makes reminder times independent of arrival order.
 */
export function firstWakeUpFloor(cart: Pick<CartRow, 'lastChangedAt'>, rules: Rules): Date {
  const changedMs = parseIso(cart.lastChangedAt, 'lastChangedAt');
  return new Date(changedMs + minutesMs(Math.min(rules.waits.small.firstMinutes, rules.waits.big.firstMinutes)));
}

/**
 * The next state of the row after a decision, or `undefined` when the row must not be written (stale wake-ups,
 * ended rows already recorded). Deterministic: the adapter writes exactly this, conditioned on the old `wakeSeq`,
 * so a concurrent or duplicate wake-up loses the race instead of acting twice. `give_up` and recorded stops keep
 * `wakeSeq` (it names the pending wake-up, and none is scheduled), so for those writes the adapter should also
 * condition on the old `status` (and `wakeUpAt`): otherwise two racing copies of one delivery could both log the move.
 * - reminders: `remindersSent + 1`, `lastReminderAt = now`, `wakeSeq + 1`, `wakeUpAt = nextWakeAt`;
 * - still_shopping: `wakeSeq + 1`, `wakeUpAt = nextWakeAt`;
 * - give_up: status `given_up`, `stopReason`, no `wakeUpAt` (`wakeSeq` kept so a duplicate finds an ended row);
 * - ended with `record`: the decision's status (`stopped`, or the row's own final status), `stopReason` (an existing
 *   one is kept on a row that was already final), no `wakeUpAt`.
 *
 * @throws Error when a `still_shopping` or reminder decision lacks `nextWakeAt`, or a reminder lacks `step`
 *   (a decision not made by {@link decideWake}).
 */
export function applyWakeDecision(cart: CartRow, decision: WakeDecision, now: Date): CartRow | undefined {
  switch (decision.kind) {
    case 'stale':
      return undefined;
    case 'ended': {
      if (!decision.record) return undefined;
      const { wakeUpAt: _cleared, ...rest } = cart;
      const stopReason =
        cart.status === 'open'
          ? (decision.stopReason ?? decision.reason)
          : (cart.stopReason ?? decision.stopReason ?? decision.reason);
      return {
        ...rest,
        status: decision.status,
        stopReason,
        ...(cart.status === 'open' && decision.stoppedBy ? { stoppedBy: decision.stoppedBy } : {}),
      };
    }
    case 'move':
      break;
  }

  const seq = (cart.wakeSeq ?? 0) + 1;
  // A hand-off the sender gave back is taken off the count first (it never reached the shopper).
  const counted = decision.retractsHandOff ? Math.max(0, cart.remindersSent - 1) : cart.remindersSent;
  switch (decision.move) {
    case 'give_up': {
      const { wakeUpAt: _cleared, ...rest } = cart;
      return { ...rest, remindersSent: counted, status: 'given_up', stopReason: decision.reason };
    }
    case 'still_shopping':
      return {
        ...cart,
        remindersSent: counted,
        wakeSeq: seq,
        wakeUpAt: requireNextWake(decision.nextWakeAt, decision.move).toISOString(),
      };
    case 'first_reminder':
    case 'second_reminder': {
      if (decision.step === undefined) throw new Error(`a ${decision.move} decision needs a step`);
      validTime(now.getTime(), 'now');
      return {
        ...cart,
        remindersSent: counted + 1,
        lastReminderAt: now.toISOString(),
        wakeSeq: seq,
        wakeUpAt: requireNextWake(decision.nextWakeAt, decision.move).toISOString(),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Timing {
  readonly size: CartSize;
  readonly waits: Rules['waits']['small'];
  /** Effective reminder cap: the rules' maximum, never above the hard cap. */
  readonly cap: number;
  /** Hand-offs that count against the cap (a hand-off the sender gave back does not). */
  readonly handed: number;
  /** Reminders that went out (accepted by the email service, to the shopper or, in test mode, the owner). */
  readonly emails: number;
  readonly changedMs: number;
  readonly anchorMs: number;
  readonly anchorText: string;
  /** The reminder due next, or undefined when the cap is reached and only the give-up check remains. */
  readonly step: ReminderStep | undefined;
}

/**
 * The next step's timing. The anchor is the later of the last change and the last email the email service accepted
 * (`firstSentAt`/`secondSentAt`, or a test-mode send): never the waiter's hand-off, which may have been held for hours.
 */
function nextStep(cart: CartRow, rules: Rules, handed: number): Timing {
  const changedMs = parseIso(cart.lastChangedAt, 'lastChangedAt');
  const emails = emailTimes(cart);
  const last = emails[emails.length - 1];
  // Ties go to the reminder: the wording "after the first reminder" is the more useful one in the log.
  const fromReminder = last !== undefined && last.ms >= changedMs;
  const anchorMs = fromReminder ? last.ms : changedMs;
  const anchorText = fromReminder
    ? `the ${last.step} reminder${last.test ? ' (test mode, to the owner)' : ''} sent at ${iso(anchorMs)}`
    : `last change at ${iso(anchorMs)}`;
  const size = cartSize(cart.total.minor, rules);
  const cap = reminderCap(rules);
  const step: ReminderStep | undefined = handed >= cap ? undefined : handed === 0 ? 'first' : 'second';
  return { size, waits: rules.waits[size], cap, handed, emails: emails.length, changedMs, anchorMs, anchorText, step };
}

/** The reminders that went out, earliest first: SES accepted them (to the shopper, or to the owner in test mode). */
function emailTimes(cart: CartRow): Array<{ step: ReminderStep; ms: number; test: boolean }> {
  const times: Array<{ step: ReminderStep; ms: number; test: boolean }> = [];
  for (const step of ['first', 'second'] as const) {
    const sentAt = step === 'first' ? cart.firstSentAt : cart.secondSentAt;
    const outcome = step === 'first' ? cart.firstOutcome : cart.secondOutcome;
    if (sentAt !== undefined) times.push({ step, ms: parseIso(sentAt, `${step}SentAt`), test: false });
    else if (outcome?.outcome === 'test_sent')
      times.push({ step, ms: parseIso(outcome.at, `${step}Outcome.at`), test: true });
  }
  return times.sort((a, b) => a.ms - b.ms);
}

/** The sender's skip reasons for the owner's stops (`domain/cart/gates.ts`): undone when the owner lifts the stop. */
const OWNER_STOP_SKIPS: ReadonlySet<string> = new Set(['owner_stopped_cart', 'owner_stopped_shopper']);

/** Where the latest hand-off stands, as the row says. */
type Settlement =
  | { readonly kind: 'none' }
  | { readonly kind: 'emailed'; readonly step: ReminderStep }
  | { readonly kind: 'pending'; readonly step: ReminderStep; readonly handOffMs: number }
  | { readonly kind: 'returned'; readonly step: ReminderStep; readonly handOffMs: number; readonly why: string }
  | { readonly kind: 'skipped'; readonly step: ReminderStep; readonly reason: string; readonly at: string };

/**
 * The latest hand-off's settlement: sent (its `...SentAt`, or a test-mode send), or the sender's verdict for that very
 * hand-off (`...Outcome.handOffAt` equal to the row's `lastReminderAt`; a verdict on an earlier hand-off of the same
 * step answers nothing now), else still pending with the sender.
 */
function settlementOf(cart: CartRow): Settlement {
  if (cart.remindersSent <= 0) return { kind: 'none' };
  const step: ReminderStep = cart.remindersSent === 1 ? 'first' : 'second';
  if ((step === 'first' ? cart.firstSentAt : cart.secondSentAt) !== undefined) return { kind: 'emailed', step };
  const handOffMs = parseIso(cart.lastReminderAt ?? cart.lastChangedAt, 'lastReminderAt');
  const outcome = step === 'first' ? cart.firstOutcome : cart.secondOutcome;
  if (outcome === undefined || outcome.handOffAt !== cart.lastReminderAt) return { kind: 'pending', step, handOffMs };
  switch (outcome.outcome) {
    case 'test_sent':
      return { kind: 'emailed', step };
    case 'returned':
      return { kind: 'returned', step, handOffMs, why: 'the shopper changed the cart after the hand-off' };
    case 'skipped':
      // Skipped for an owner's stop: the chase ends with the stop; if the owner lifts it, the cart picks up where it
      // stood, and this reminder never went out, so it is taken back like a returned one.
      if (OWNER_STOP_SKIPS.has(outcome.reason))
        return { kind: 'returned', step, handOffMs, why: "it was skipped for the owner's stop, since lifted" };
      return { kind: 'skipped', step, reason: outcome.reason, at: outcome.at };
  }
}

/**
 * When the waiter looks again at a reminder handed off at `handOffMs`: once the sender should have run it (at the end
 * of quiet hours, when the hand-off fell in them) and {@link SETTLE_GRACE_MINUTES} more; once that has passed, every
 * {@link SETTLE_RECHECK_MINUTES} minutes. A reminder far down a big morning's release (its place is the sender's, taken
 * overnight) is found at a later look; the follow-up is timed from its accept either way, so it is never early.
 */
function settleCheckAt(cart: CartRow, rules: Rules, handOffMs: number, nowMs: number): number {
  const zone = localTimeZone(cart.timeZone, rules.store.timeZone);
  const quietEnd = quietHoursDeferral(new Date(handOffMs), zone, rules.quietHours);
  const release = quietEnd === undefined ? handOffMs : quietEnd.getTime();
  const expected = release + minutesMs(SETTLE_GRACE_MINUTES);
  return expected > nowMs ? expected : nowMs + minutesMs(SETTLE_RECHECK_MINUTES);
}

/** The rules' maximum clamped to [0, HARD_REMINDER_CAP]; a rules doc can lower the cap, never raise it. */
function reminderCap(rules: Pick<Rules, 'maxReminders'>): number {
  const wanted: number = rules.maxReminders;
  if (!Number.isFinite(wanted)) return HARD_REMINDER_CAP;
  return Math.max(0, Math.min(Math.trunc(wanted), HARD_REMINDER_CAP));
}

interface ChaseStop {
  readonly log: string;
  readonly stopReason: string;
  readonly stoppedBy: StoppedBy;
}

function chaseStop(cart: CartRow, rules: Rules, optOut: WakeInput['optOut']): ChaseStop | undefined {
  if (optOut === 'cart')
    return {
      log: 'the shopper unsubscribed from this cart',
      stopReason: 'unsubscribed from this cart',
      stoppedBy: 'shopper',
    };
  if (optOut === 'all')
    return {
      log: 'the shopper unsubscribed from all reminders',
      stopReason: 'unsubscribed from all reminders',
      stoppedBy: 'shopper',
    };
  const byCart = rules.stoppedCarts.find((s) => s.target === cart.cartId);
  if (byCart) return ownerStop('cart', byCart);
  const email = normaliseEmail(cart.email);
  const byEmail = email === undefined ? undefined : rules.stoppedEmails.find((s) => normaliseEmail(s.target) === email);
  if (byEmail) return ownerStop('shopper', byEmail);
  return undefined;
}

function ownerStop(what: 'cart' | 'shopper', stop: OwnerStop): ChaseStop {
  const where = stop.line === undefined ? '' : ` (rules doc line ${stop.line})`;
  return {
    log: `the owner stopped this ${what}${where}: "${stop.reason}"`,
    stopReason: stop.reason,
    stoppedBy: 'owner',
  };
}

function endedRow(cart: CartRow): WakeDecision {
  const status = cart.status;
  const label =
    status === 'checked_out'
      ? `checked out${cart.checkedOutAt ? ` at ${shortIso(cart.checkedOutAt)}` : ''}`
      : status === 'given_up'
        ? 'given up'
        : 'stopped';
  // Record when the stop has no reason yet, or the row still shows this (now fired) wake-up as pending.
  const record = cart.stopReason === undefined || cart.wakeUpAt !== undefined;
  const because = cart.stopReason === undefined ? '' : ` (${cart.stopReason})`;
  return {
    kind: 'ended',
    status,
    record,
    reason: `cart ${cart.cartId} is ${label}${because}: the chase is over, nothing scheduled`,
    stopReason: label,
  };
}

function describeSize(total: Money, rules: Rules, size: CartSize): string {
  const threshold = safeMoney({ minor: rules.bigCartThresholdMinor, currency: rules.store.currency });
  return size === 'big'
    ? `big cart (${safeMoney(total)} >= ${threshold})`
    : `small cart (${safeMoney(total)} < ${threshold})`;
}

/** Formats money for the log without ever failing the decision over an odd currency code. */
function safeMoney(money: Money): string {
  try {
    return formatMoney(money);
  } catch {
    return `${money.minor} ${money.currency} minor units`;
  }
}

function requireNextWake(at: Date | undefined, move: MoveName): Date {
  if (at === undefined) throw new Error(`a ${move} decision needs nextWakeAt`);
  validTime(at.getTime(), 'nextWakeAt');
  return at;
}

function minutesMs(minutes: number): number {
  return minutes * MINUTE_MS;
}

function parseIso(text: string, field: string): number {
  return validTime(Date.parse(text), `${field} "${text}"`);
}

function validTime(ms: number, what: string): number {
  if (Number.isNaN(ms)) throw new Error(`${what} is not a valid time`);
  return ms;
}

/** "2026-11-02T15:00Z": ISO without zero seconds/milliseconds, short enough for a log line. */
function iso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/:00\.000Z$/, 'Z')
    .replace(/\.000Z$/, 'Z');
}

function shortIso(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : iso(ms);
}

/** "1h", "20h", "7d", "1h30m", "45m". */
function duration(minutes: number): string {
  if (minutes <= 0) return '0m';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  // Whole days read better as days; otherwise hours (so 20h stays "20h", 30h reads "30h").
  if (hours === 0 && mins === 0) return `${days}d`;
  const totalHours = days * 24 + hours;
  return `${totalHours > 0 ? `${totalHours}h` : ''}${mins > 0 ? `${mins}m` : ''}`;
}
