/**
 * A tiny in-memory model of one cart's life around the waiter: the storefront changes the cart, the shopper checks
 * out or unsubscribes, the owner edits the rules, and EventBridge Scheduler delivers wake-ups at least once and
 * possibly late (or, adversarially, early). Wake-ups go through the real decideWake + applyWakeDecision with the seq
 * check; everything else is the simplest faithful stand-in for intake and the scheduler. The clock is plain Dates.
 */
import type { CartRow } from '../../src/domain/cart/cart';
import { applyWakeDecision, decideWake, firstWakeUpAt, type WakeDecision } from '../../src/domain/cart/moves';
import type { Rules } from '../../src/domain/owner-docs/rules';
import type { ReminderStep } from '../../src/domain/cart/reminder-step';

const MINUTE_MS = 60_000;

/** One thing that happens to the cart; `gapMin` advances the clock before it happens. */
export type SimEvent =
  | { readonly kind: 'change'; readonly gapMin: number; readonly totalMinor: number }
  | { readonly kind: 'checkout'; readonly gapMin: number }
  | { readonly kind: 'optOut'; readonly gapMin: number; readonly scope: 'cart' | 'all' }
  | { readonly kind: 'ownerStopCart'; readonly gapMin: number; readonly reason: string }
  | { readonly kind: 'ownerStopEmail'; readonly gapMin: number; readonly reason: string }
  | { readonly kind: 'pause'; readonly gapMin: number; readonly on: boolean }
  /**
   * The scheduler fires the pending wake-up at its time plus `lateMin` (or now, if the clock is already past).
   * A negative `lateMin` delivers a little early: the real scheduler does not, but the waiter must not rely on it.
   */
  | { readonly kind: 'fire'; readonly lateMin: number }
  /** The pending seq is delivered right now, whether or not its time has come. */
  | { readonly kind: 'fireNow'; readonly gapMin: number }
  /** An earlier delivery (picked by index) is delivered again: a late duplicate. */
  | { readonly kind: 'redeliver'; readonly gapMin: number; readonly pick: number }
  /** A seq older than the current one arrives (a superseded schedule). */
  | { readonly kind: 'oldSeq'; readonly gapMin: number; readonly back: number };

/** One wake-up delivery and what it did. */
export interface Delivery {
  /** Order of this delivery among everything that happened (events and deliveries share one counter). */
  readonly tick: number;
  readonly seq: number;
  readonly at: Date;
  readonly phase: 'events' | 'runout';
  /** True when this delivery repeats a seq that was delivered before. */
  readonly duplicate: boolean;
  readonly rowBefore: CartRow;
  readonly rules: Rules;
  readonly decision: WakeDecision;
  /** The row written, when the decision changed it. */
  readonly written: CartRow | undefined;
}

/** A reminder handed to the sender. */
export interface HandOff {
  readonly tick: number;
  readonly seq: number;
  readonly step: ReminderStep;
  readonly at: Date;
  readonly rowBefore: CartRow;
  readonly rules: Rules;
}

export interface SimResult {
  readonly row: CartRow;
  readonly deliveries: readonly Delivery[];
  readonly handOffs: readonly HandOff[];
  /** Tick of the first checkout / opt-out / owner stop, if any. */
  readonly endTick: number | undefined;
  readonly checkedOut: boolean;
  /** An opt-out or owner stop happened. */
  readonly stopped: boolean;
  /** The run-out loop finished with nothing pending (false means it hit its bound). */
  readonly ranOut: boolean;
}

export interface SimOptions {
  readonly start: Date;
  readonly rules: Rules;
  readonly initialTotalMinor: number;
  readonly events: readonly SimEvent[];
  /** Deliver every scheduled wake-up twice (the second copy `duplicateLagMin` later). */
  readonly duplicateEveryDelivery: boolean;
  readonly duplicateLagMin: number;
  /** Keep firing the pending wake-up until none is pending. */
  readonly runOut: boolean;
}

const CART_ID = 'cart-sim';
const EMAIL = 'shopper@example.com';

/** Runs one cart's life and returns everything the properties need. */
export function simulate(options: SimOptions): SimResult {
  let rules = options.rules;
  let clock = options.start.getTime();
  let tick = 0;
  let optOut: 'cart' | 'all' | undefined;
  let endTick: number | undefined;
  let checkedOut = false;
  let stopped = false;
  const deliveries: Delivery[] = [];
  const handOffs: HandOff[] = [];
  const delivered = new Set<number>();

  const startIso = options.start.toISOString();
  const base = {
    total: { minor: options.initialTotalMinor, currency: 'USD' },
    lastChangedAt: startIso,
  };
  // What intake writes for a new cart: the first wake-up, as seq 1.
  let row: CartRow = {
    cartId: CART_ID,
    source: 'generic',
    email: EMAIL,
    items: [{ title: 'Thing', quantity: 1, unitPrice: options.initialTotalMinor }],
    ...base,
    status: 'open',
    eventKey: `${startIso}#e0`,
    firstSeenAt: startIso,
    remindersSent: 0,
    wakeSeq: 1,
    wakeUpAt: firstWakeUpAt(base, rules).toISOString(),
    expiresAt: 2_000_000_000,
  };

  const markEnd = (): void => {
    endTick ??= tick;
  };

  const deliver = (seq: number, atMs: number, phase: Delivery['phase']): void => {
    tick += 1;
    clock = Math.max(clock, atMs);
    const at = new Date(clock);
    const rowBefore = row;
    const decision = decideWake({ cart: row, wakeSeq: seq, rules, now: at, ...(optOut ? { optOut } : {}) });
    const written = applyWakeDecision(row, decision, at);
    deliveries.push({ tick, seq, at, phase, duplicate: delivered.has(seq), rowBefore, rules, decision, written });
    delivered.add(seq);
    if (decision.kind === 'move' && decision.step !== undefined) {
      handOffs.push({ tick, seq, step: decision.step, at, rowBefore, rules });
    }
    if (written) row = written;
    // The sender, at once: SES accepts the reminder the instant it is handed off (the waiter's own arithmetic is under
    // test here; the held, skipped and returned reminders have their own property on the real sender).
    if (written && decision.kind === 'move' && decision.step !== undefined) {
      row = { ...row, [decision.step === 'first' ? 'firstSentAt' : 'secondSentAt']: at.toISOString() };
    }
  };

  /** The scheduler firing whatever is pending, at its time (never before the clock: time does not go back). */
  const firePending = (lateMin: number, phase: Delivery['phase']): void => {
    if (row.wakeUpAt === undefined || row.wakeSeq === undefined) return;
    const seq = row.wakeSeq;
    const due = Math.max(clock, Date.parse(row.wakeUpAt)) + lateMin * MINUTE_MS;
    deliver(seq, due, phase);
    if (options.duplicateEveryDelivery) deliver(seq, clock + options.duplicateLagMin * MINUTE_MS, phase);
  };

  for (const event of options.events) {
    if (event.kind === 'fire') {
      firePending(event.lateMin, 'events');
      continue;
    }
    clock += event.gapMin * MINUTE_MS;
    switch (event.kind) {
      case 'change': {
        tick += 1;
        const now = new Date(clock).toISOString();
        // Intake: a change updates the snapshot only; it never touches wakeSeq/wakeUpAt or a final status.
        row = {
          ...row,
          items: [{ title: 'Thing', quantity: 1, unitPrice: event.totalMinor }],
          total: { minor: event.totalMinor, currency: 'USD' },
          lastChangedAt: now,
          eventKey: `${now}#e${tick}`,
        };
        break;
      }
      case 'checkout':
        tick += 1;
        markEnd();
        checkedOut = true;
        if (row.status !== 'checked_out') {
          row = { ...row, status: 'checked_out', checkedOutAt: new Date(clock).toISOString() };
        }
        break;
      case 'optOut':
        tick += 1;
        markEnd();
        stopped = true;
        optOut = event.scope;
        break;
      case 'ownerStopCart':
        tick += 1;
        markEnd();
        stopped = true;
        rules = { ...rules, stoppedCarts: [...rules.stoppedCarts, { target: CART_ID, reason: event.reason }] };
        break;
      case 'ownerStopEmail':
        tick += 1;
        markEnd();
        stopped = true;
        rules = { ...rules, stoppedEmails: [...rules.stoppedEmails, { target: EMAIL, reason: event.reason }] };
        break;
      case 'pause':
        tick += 1;
        rules = { ...rules, pause: event.on ? { target: '', reason: 'owner on holiday' } : undefined };
        break;
      case 'fireNow':
        if (row.wakeSeq !== undefined) deliver(row.wakeSeq, clock, 'events');
        break;
      case 'redeliver': {
        const earlier = deliveries[event.pick % Math.max(1, deliveries.length)];
        if (earlier) deliver(earlier.seq, clock, 'events');
        break;
      }
      case 'oldSeq': {
        const current = row.wakeSeq ?? 1;
        deliver(Math.max(0, current - 1 - (event.back % Math.max(1, current))), clock, 'events');
        break;
      }
    }
  }

  let ranOut = !options.runOut;
  if (options.runOut) {
    // At most: one still_shopping, two reminders, one give-up/ended; the bound only guards against a livelock bug.
    // A reminder held by the owner's pause is looked at hourly until the give-up window ends it: room for those too.
    for (let i = 0; i < 2_000 && row.wakeUpAt !== undefined; i += 1) firePending(0, 'runout');
    ranOut = row.wakeUpAt === undefined;
  }

  return { row, deliveries, handOffs, endTick, checkedOut, stopped, ranOut };
}
