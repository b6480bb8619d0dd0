import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import { decideWake } from '../../src/domain/cart/moves';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';
import type { ReminderStep } from '../../src/domain/cart/reminder-step';
import { simulate, type SimEvent, type SimOptions, type SimResult } from '../support/waiter-sim';

const MINUTE_MS = 60_000;
const RUNS = { numRuns: 200 };

// ---- Independent oracle: the timing rules restated from the brief, not imported from moves.ts. ----

/** min(rules.maxReminders, 2): the hard cap wins over any rules doc. */
const capOf = (rules: Rules): number => Math.min(rules.maxReminders, 2);

/** The later of the last change and the last reminder the email service accepted. */
function anchorMs(row: CartRow): number {
  const sent = [row.firstSentAt, row.secondSentAt]
    .filter((at): at is string => at !== undefined)
    .map((at) => Date.parse(at));
  return Math.max(Date.parse(row.lastChangedAt), ...sent);
}

function waitMinutes(row: CartRow, rules: Rules, step: ReminderStep): number {
  const waits = row.total.minor >= rules.bigCartThresholdMinor ? rules.waits.big : rules.waits.small;
  return step === 'first' ? waits.firstMinutes : waits.secondMinutes;
}

// ---- Generators ----

const minutes = (max: number) => fc.integer({ min: 0, max });
/** Mostly short gaps (minutes to hours) with some long ones (days), so both "too early" and "late" happen. */
const gap = fc.oneof(minutes(120), minutes(30 * 60), minutes(4 * 24 * 60));

const rulesArb: fc.Arbitrary<Rules> = fc
  .record({
    bigCartThresholdMinor: fc.integer({ min: 1_00, max: 500_00 }),
    smallFirst: minutes(2 * 24 * 60),
    smallSecond: minutes(3 * 24 * 60),
    bigFirst: minutes(24 * 60),
    bigSecond: minutes(3 * 24 * 60),
    // 3 and 5 are outside the type on purpose: a hand-edited rules doc must still be capped at two.
    maxReminders: fc.constantFrom(1, 2, 3, 5),
    giveUpAfterMinutes: fc.oneof(fc.constant(7 * 24 * 60), minutes(10 * 24 * 60)),
  })
  .map((r) => ({
    ...DEFAULT_RULES,
    bigCartThresholdMinor: r.bigCartThresholdMinor,
    waits: {
      small: { firstMinutes: r.smallFirst, secondMinutes: r.smallSecond },
      big: { firstMinutes: r.bigFirst, secondMinutes: r.bigSecond },
    },
    maxReminders: r.maxReminders as Rules['maxReminders'],
    giveUpAfterMinutes: r.giveUpAfterMinutes,
  }));

/** Totals are a percentage of the threshold (0–200%), so changes cross it often. */
const eventArb = (threshold: number): fc.Arbitrary<SimEvent> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('change'),
        gapMin: gap,
        totalMinor: fc.integer({ min: 0, max: 200 }).map((p) => Math.round((threshold * p) / 100)),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('fire'),
        lateMin: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 }), minutes(180), minutes(3 * 24 * 60)),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fireNow'), gapMin: gap }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeliver'), gapMin: gap, pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('oldSeq'), gapMin: gap, back: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause'), gapMin: gap, on: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('checkout'), gapMin: gap }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('optOut'),
        gapMin: gap,
        scope: fc.constantFrom('cart' as const, 'all' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ownerStopCart'),
        gapMin: gap,
        reason: fc.constantFrom('asked by phone', 'friend of the shop'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ownerStopEmail'),
        gapMin: gap,
        reason: fc.constantFrom('wholesale buyer', 'complained'),
      }),
    },
  );

const scenarioArb: fc.Arbitrary<SimOptions> = rulesArb.chain((rules) =>
  fc.record({
    start: fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2027-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    rules: fc.constant(rules),
    initialTotalMinor: fc.integer({ min: 0, max: 200 }).map((p) => Math.round((rules.bigCartThresholdMinor * p) / 100)),
    events: fc.array(eventArb(rules.bigCartThresholdMinor), { maxLength: 30 }),
    duplicateEveryDelivery: fc.boolean(),
    duplicateLagMin: minutes(600),
    runOut: fc.boolean(),
  }),
);

/** Same scenarios, always run out to the end. */
const ranOutArb = scenarioArb.map((s) => ({ ...s, runOut: true }));

/** Scenarios with nothing that ends the chase early: only changes, pauses and deliveries. */
const undisturbedArb = scenarioArb.map((s) => ({
  ...s,
  runOut: true,
  events: s.events.filter((e) => !['checkout', 'optOut', 'ownerStopCart', 'ownerStopEmail'].includes(e.kind)),
}));

/** Whether the owner's pause is still on when the schedule is run out (the scenario's last pause event). */
function pausedAtRunout(scenario: SimOptions): boolean {
  let paused = false;
  for (const event of scenario.events) if (event.kind === 'pause') paused = event.on;
  return paused;
}

/** A wake-up that held a due reminder because of the owner's pause (rechecked hourly, not at a due time). */
const heldByPause = (d: { decision: ReturnType<typeof decideWake>; rules: Rules }) =>
  d.rules.pause !== undefined && d.decision.kind === 'move' && /held because the owner paused/.test(d.decision.reason);

const moves = (result: SimResult) => result.deliveries.filter((d) => d.decision.kind === 'move');

describe('waiter properties (simulated cart lives)', () => {
  it('never more than two reminders, never more than maxReminders, first then second', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const result = simulate(scenario);
        const cap = capOf(scenario.rules);
        expect(result.handOffs.length).toBeLessThanOrEqual(2);
        expect(result.handOffs.length).toBeLessThanOrEqual(cap);
        expect(result.row.remindersSent).toBe(result.handOffs.length);
        expect(result.handOffs.map((h) => h.step)).toEqual(
          (['first', 'second'] as const).slice(0, result.handOffs.length),
        );
      }),
      RUNS,
    );
  });

  it("no reminder is handed off (spent) while the owner's pause is on", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const h of simulate(scenario).handOffs) expect(h.rules.pause).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('no reminder before its wait: now >= later(last change, last reminder) + wait for the size at that moment', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const h of simulate(scenario).handOffs) {
          const due = anchorMs(h.rowBefore) + waitMinutes(h.rowBefore, h.rules, h.step) * MINUTE_MS;
          expect(h.at.getTime()).toBeGreaterThanOrEqual(due);
        }
      }),
      RUNS,
    );
  });

  it('gives up only after the cap was reached and the give-up window after the anchor elapsed', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const d of moves(simulate(scenario))) {
          if (d.decision.kind !== 'move' || d.decision.move !== 'give_up') continue;
          // Fewer than the cap only when a reminder was held by the owner's pause until it was too late.
          if (d.rowBefore.remindersSent < capOf(d.rules)) expect(d.rules.pause).toBeDefined();
          expect(d.at.getTime()).toBeGreaterThanOrEqual(anchorMs(d.rowBefore) + d.rules.giveUpAfterMinutes * MINUTE_MS);
        }
      }),
      RUNS,
    );
  });

  it('no move at all after a checkout, an opt-out or an owner stop', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const result = simulate(scenario);
        if (result.endTick === undefined) return;
        const after = moves(result).filter((d) => d.tick > result.endTick!);
        expect(after).toEqual([]);
        expect(result.handOffs.every((h) => h.tick < result.endTick!)).toBe(true);
      }),
      RUNS,
    );
  });

  it('running the schedule out ends every cart: checked out, given up or stopped, with nothing pending', () => {
    fc.assert(
      fc.property(ranOutArb, (scenario) => {
        const result = simulate(scenario);
        expect(result.ranOut).toBe(true);
        expect(result.row.wakeUpAt).toBeUndefined();
        if (result.checkedOut) {
          expect(result.row.status).toBe('checked_out');
        } else {
          expect(['given_up', 'stopped']).toContain(result.row.status);
          if (result.row.status === 'stopped') expect(result.stopped).toBe(true);
        }
        // Every ended row says why.
        if (result.row.status !== 'checked_out') expect(result.row.stopReason).toBeTruthy();
      }),
      RUNS,
    );
  });

  it('without checkout or stop, the run-out sends exactly the capped number of reminders, then gives up', () => {
    fc.assert(
      fc.property(undisturbedArb, (scenario) => {
        const result = simulate(scenario);
        expect(result.row.status).toBe('given_up');
        // A pause that outlasts the give-up window holds a reminder until it is too late; otherwise every one goes.
        const givenUpInPause = moves(result).some(
          (d) => d.decision.kind === 'move' && d.decision.move === 'give_up' && d.rules.pause !== undefined,
        );
        if (givenUpInPause) expect(result.row.remindersSent).toBeLessThanOrEqual(capOf(scenario.rules));
        else expect(result.row.remindersSent).toBe(capOf(scenario.rules));
        // A pause never ends the chase; only the give-up does, once.
        expect(moves(result).filter((d) => d.decision.kind === 'move' && d.decision.move === 'give_up')).toHaveLength(
          1,
        );
      }),
      RUNS,
    );
  });

  it(
    'wake-ups are scheduled for the exact due time: in the run-out, ' +
      'a still_shopping is the first delivery or the look after a hand-off',
    () => {
      fc.assert(
        fc.property(ranOutArb, (scenario) => {
          // A pause still on holds a due reminder with hourly checks instead of a due time.
          if (pausedAtRunout(scenario)) return;
          const runout = simulate(scenario).deliveries.filter((d) => d.phase === 'runout' && !d.duplicate);
          runout.forEach((d, i) => {
            if (i === 0 || !(d.decision.kind === 'move' && d.decision.move === 'still_shopping')) return;
            const before = runout[i - 1]?.decision;
            expect(before?.kind === 'move' && before.step !== undefined).toBe(true);
          });
          // Non-duplicate run-out deliveries: at most one still_shopping,
          // two reminders each with its look, and the final one.
          expect(runout.length).toBeLessThanOrEqual(6);
        }),
        RUNS,
      );
    },
  );

  it('duplicate, late and old deliveries never duplicate a move: one move (and one write) per seq acted on', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const result = simulate(scenario);
        const moveSeqs = moves(result).map((d) => d.seq);
        expect(new Set(moveSeqs).size).toBe(moveSeqs.length);
        const writtenSeqs = result.deliveries.filter((d) => d.written !== undefined).map((d) => d.seq);
        expect(new Set(writtenSeqs).size).toBe(writtenSeqs.length);
        for (const d of result.deliveries) {
          // Anything but the row's current seq is stale and writes nothing.
          if (d.seq !== d.rowBefore.wakeSeq) {
            expect(d.decision.kind).toBe('stale');
            expect(d.written).toBeUndefined();
          }
        }
      }),
      RUNS,
    );
  });

  it('the next wake-up is exactly when the next step becomes due (neither early nor late)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const d of moves(simulate(scenario))) {
          const row = d.written;
          if (d.decision.kind !== 'move' || d.decision.move === 'give_up' || row === undefined) continue;
          if (heldByPause(d)) {
            // Held, not spent, looked at again within the hour.
            expect(row.remindersSent).toBe(d.rowBefore.remindersSent);
            expect(Date.parse(row.wakeUpAt ?? '')).toBeLessThanOrEqual(d.at.getTime() + 60 * MINUTE_MS);
            continue;
          }
          if (d.decision.step !== undefined) {
            // After a hand-off: a look once the sender has run it (5 minutes on, or after the morning's release).
            expect(Date.parse(row.wakeUpAt ?? '')).toBeGreaterThanOrEqual(d.at.getTime() + 5 * MINUTE_MS);
            expect(Date.parse(row.wakeUpAt ?? '')).toBeLessThanOrEqual(d.at.getTime() + 24 * 60 * MINUTE_MS);
            continue;
          }
          const step: ReminderStep | undefined =
            row.remindersSent >= capOf(d.rules) ? undefined : row.remindersSent === 0 ? 'first' : 'second';
          const wait = step === undefined ? d.rules.giveUpAfterMinutes : waitMinutes(row, d.rules, step);
          expect(row.wakeUpAt).toBe(new Date(anchorMs(row) + wait * MINUTE_MS).toISOString());
        }
      }),
      RUNS,
    );
  });

  it('every scheduling move advances the seq by one and sets a wake-up that is not in the past', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        for (const d of moves(simulate(scenario))) {
          if (d.decision.kind !== 'move' || d.decision.move === 'give_up') continue;
          expect(d.written?.wakeSeq).toBe((d.rowBefore.wakeSeq ?? 0) + 1);
          expect(Date.parse(d.written?.wakeUpAt ?? '')).toBeGreaterThanOrEqual(d.at.getTime());
          if (d.decision.move === 'still_shopping')
            expect(d.decision.nextWakeAt!.getTime()).toBeGreaterThan(d.at.getTime());
        }
      }),
      RUNS,
    );
  });
});

describe('decideWake at the due moment', () => {
  const rowArb = fc.record({
    rules: rulesArb,
    sent: fc.integer({ min: 0, max: 2 }),
    totalPct: fc.integer({ min: 0, max: 200 }),
    changedAgo: minutes(20 * 24 * 60),
    reminderAgo: minutes(20 * 24 * 60),
    // Milliseconds around the due moment, with 0 (exactly due) generated often.
    offsetMs: fc.oneof(fc.constant(0), fc.integer({ min: -180_000, max: 180_000 })),
  });

  it('acts iff now >= due; otherwise still_shopping with nextWakeAt exactly the due moment', () => {
    fc.assert(
      fc.property(rowArb, ({ rules, sent, totalPct, changedAgo, reminderAgo, offsetMs }) => {
        const base = Date.parse('2027-03-01T12:00:00Z');
        const row: CartRow = {
          cartId: 'c',
          source: 'generic',
          email: 'a@example.com',
          items: [],
          total: { minor: Math.round((rules.bigCartThresholdMinor * totalPct) / 100), currency: 'USD' },
          status: 'open',
          eventKey: 'k',
          firstSeenAt: new Date(base - 30 * 24 * 60 * MINUTE_MS).toISOString(),
          lastChangedAt: new Date(base - changedAgo * MINUTE_MS).toISOString(),
          remindersSent: sent,
          ...(sent > 0 ? { lastReminderAt: new Date(base - reminderAgo * MINUTE_MS).toISOString() } : {}),
          // Each handed-off reminder went out the moment it was handed off.
          ...(sent > 0 ? { firstSentAt: new Date(base - reminderAgo * MINUTE_MS).toISOString() } : {}),
          ...(sent > 1 ? { secondSentAt: new Date(base - reminderAgo * MINUTE_MS).toISOString() } : {}),
          wakeSeq: 7,
          wakeUpAt: new Date(base).toISOString(),
          expiresAt: 0,
        };
        const cap = capOf(rules);
        const step: ReminderStep | undefined = sent >= cap ? undefined : sent === 0 ? 'first' : 'second';
        const due =
          anchorMs(row) + (step === undefined ? rules.giveUpAfterMinutes : waitMinutes(row, rules, step)) * MINUTE_MS;
        const now = new Date(due + offsetMs);
        const decision = decideWake({ cart: row, wakeSeq: 7, rules, now });
        expect(decision.kind).toBe('move');
        if (decision.kind !== 'move') return;
        if (offsetMs < 0) {
          expect(decision.move).toBe('still_shopping');
          expect(decision.nextWakeAt?.getTime()).toBe(due);
        } else {
          expect(decision.move).toBe(
            step === undefined ? 'give_up' : step === 'first' ? 'first_reminder' : 'second_reminder',
          );
          expect(decision.step).toBe(step);
        }
      }),
      RUNS,
    );
  });
});
