import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import {
  applyWakeDecision,
  decideWake,
  firstWakeUpAt,
  PAUSE_RECHECK_MINUTES,
  SETTLE_GRACE_MINUTES,
  type WakeDecision,
} from '../../src/domain/cart/moves';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';
import { seedCartLines, seedCartTotal } from '../../src/local/seed-cart';

const T = '2026-11-02T15:00:00.000Z';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const at = (base: string, plusMs: number): Date => new Date(Date.parse(base) + plusMs);
const iso = (base: string, plusMs: number): string => at(base, plusMs).toISOString();

/** The seed cart ($120: a big cart), open, changed last at T with its first wake-up pending as #1. */
function cart(overrides: Partial<CartRow> = {}): CartRow {
  return {
    cartId: 'cart-1',
    source: 'generic',
    email: 'sam@example.com',
    items: seedCartLines(),
    total: seedCartTotal(),
    status: 'open',
    eventKey: `${T}#evt-1`,
    firstSeenAt: T,
    lastChangedAt: T,
    remindersSent: 0,
    wakeUpAt: iso(T, HOUR),
    wakeSeq: 1,
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

const small = (overrides: Partial<CartRow> = {}): CartRow =>
  cart({ total: { minor: 40_00, currency: 'USD' }, wakeUpAt: iso(T, 4 * HOUR), ...overrides });

function rules(overrides: Partial<Rules> = {}): Rules {
  return { ...DEFAULT_RULES, ...overrides };
}

/**
 * Fires the row's pending wake-up at `now` and returns the decision and the row to persist (or the same row). A
 * reminder handed off is, unless `sent` says otherwise, accepted by SES at the same instant (the sender's answer
 * written on the row as `firstSentAt`/`secondSentAt`): these tests are about the waiter's arithmetic.
 */
function wake(row: CartRow, now: Date, r: Rules = DEFAULT_RULES, optOut?: 'cart' | 'all', sent: Date | null = now) {
  const decision = decideWake({ cart: row, wakeSeq: row.wakeSeq ?? 0, rules: r, now, ...(optOut ? { optOut } : {}) });
  const next = applyWakeDecision(row, decision, now);
  const step = decision.kind === 'move' ? decision.step : undefined;
  const settled =
    next && step && sent ? { ...next, [step === 'first' ? 'firstSentAt' : 'secondSentAt']: sent.toISOString() } : next;
  return { decision, row: settled ?? row, written: next !== undefined };
}

/** The waiter's settle check after a hand-off outside quiet hours: five minutes later. */
const checkAfter = (handOff: Date): Date => new Date(handOff.getTime() + SETTLE_GRACE_MINUTES * MIN);

function expectMove(decision: WakeDecision, move: string, nextWakeAt?: Date): void {
  expect(decision.kind).toBe('move');
  if (decision.kind !== 'move') return;
  expect(decision.move).toBe(move);
  expect(decision.nextWakeAt?.toISOString()).toBe(nextWakeAt?.toISOString());
}

/**
 * Runs the pending wake-ups out to the end, at exactly their times, collecting the moves that act (no still_shopping).
 */
function runOut(start: CartRow, r: Rules = DEFAULT_RULES): { moves: { move: string; at: string }[]; row: CartRow } {
  const moves: { move: string; at: string }[] = [];
  let row = start;
  for (let i = 0; i < 20 && row.wakeUpAt !== undefined; i += 1) {
    const now = new Date(row.wakeUpAt);
    const result = wake(row, now, r);
    if (result.decision.kind === 'move' && result.decision.move !== 'still_shopping')
      moves.push({ move: result.decision.move, at: now.toISOString() });
    row = result.row;
  }
  expect(row.wakeUpAt).toBeUndefined();
  return { moves, row };
}

describe('the seed story: a $120 cart is big', () => {
  it(
    'first reminder 1 h after the shopper leaves, ' + 'second 20 h later (T+21h), give-up 7 days after that, no third',
    () => {
      const start = cart({ wakeUpAt: firstWakeUpAt(cart(), DEFAULT_RULES).toISOString() });
      expect(start.wakeUpAt).toBe(iso(T, HOUR));

      const first = wake(start, at(T, HOUR));
      // After the hand-off the waiter looks again once the sender has run (5 minutes),
      // to time the follow-up from the send.
      expectMove(first.decision, 'first_reminder', checkAfter(at(T, HOUR)));
      expect(first.decision.kind === 'move' && first.decision.step).toBe('first');
      expect(first.decision.reason).toContain(
        'big cart ($120.00 >= $100.00): first reminder due 1h after last change at 2026-11-02T15:00Z',
      );
      expect(first.row).toMatchObject({
        remindersSent: 1,
        lastReminderAt: iso(T, HOUR),
        wakeSeq: 2,
        wakeUpAt: checkAfter(at(T, HOUR)).toISOString(),
      });

      const check = wake(first.row, checkAfter(at(T, HOUR)));
      expectMove(check.decision, 'still_shopping', at(T, 21 * HOUR));
      expect(check.decision.reason).toContain(
        'second reminder due 20h after the first reminder sent at 2026-11-02T16:00Z',
      );

      // 07:00 in New York: the sender holds it for quiet hours,
      // so the waiter looks again 5 minutes after they end (08:05).
      const second = wake(check.row, at(T, 21 * HOUR));
      expect(second.decision).toMatchObject({ kind: 'move', move: 'second_reminder', step: 'second' });
      const secondCheck = second.decision.kind === 'move' ? (second.decision.nextWakeAt?.getTime() ?? 0) : 0;
      expect(secondCheck).toBe(Date.parse('2026-11-03T13:05:00Z'));
      expect(second.row).toMatchObject({ remindersSent: 2, lastReminderAt: iso(T, 21 * HOUR), wakeSeq: 4 });

      expectMove(wake(second.row, new Date(secondCheck)).decision, 'still_shopping', at(T, 21 * HOUR + 7 * DAY));
      const giveUp = wake(second.row, at(T, 21 * HOUR + 7 * DAY));
      expectMove(giveUp.decision, 'give_up', undefined);
      expect(giveUp.row.status).toBe('given_up');
      expect(giveUp.row.wakeUpAt).toBeUndefined();
      expect(giveUp.row.remindersSent).toBe(2);
      expect(giveUp.row.stopReason).toMatch(/giving up/);

      // A duplicate delivery of the give-up wake-up (same seq) finds an ended row: no move, nothing written.
      const again = wake(giveUp.row, at(T, 30 * DAY));
      expect(again.decision).toMatchObject({ kind: 'ended', status: 'given_up', record: false });
      expect(again.written).toBe(false);
    },
  );

  it('running the schedule out gives exactly first, second, give_up at those times', () => {
    expect(runOut(cart()).moves).toEqual([
      { move: 'first_reminder', at: iso(T, HOUR) },
      { move: 'second_reminder', at: iso(T, 21 * HOUR) },
      { move: 'give_up', at: iso(T, 21 * HOUR + 7 * DAY) },
    ]);
  });
});

describe('timing by size', () => {
  it.each([
    ['small ($40)', 40_00, 4 * HOUR, 24 * HOUR],
    ['just under the threshold ($99.99)', 99_99, 4 * HOUR, 24 * HOUR],
    ['exactly the threshold ($100)', 100_00, HOUR, 20 * HOUR],
    ['big ($120)', 120_00, HOUR, 20 * HOUR],
  ])(
    '%s: first after the first wait, second after the second, give-up 7 days later',
    (_label, minor, first, second) => {
      const start = cart({ total: { minor, currency: 'USD' } });
      const firstWake = firstWakeUpAt(start, DEFAULT_RULES);
      expect(firstWake.toISOString()).toBe(iso(T, first));
      expect(runOut({ ...start, wakeUpAt: firstWake.toISOString() }).moves).toEqual([
        { move: 'first_reminder', at: iso(T, first) },
        { move: 'second_reminder', at: iso(T, first + second) },
        { move: 'give_up', at: iso(T, first + second + 7 * DAY) },
      ]);
    },
  );

  it('small cart reason names the size and the wait', () => {
    const { decision } = wake(small(), at(T, 4 * HOUR));
    expectMove(decision, 'first_reminder', checkAfter(at(T, 4 * HOUR)));
    expect(decision.reason).toContain('small cart ($40.00 < $100.00): first reminder due 4h after last change');
  });

  it('judges the size at wake time from the current total', () => {
    // Scheduled as a small cart (4 h), but the shopper grew it to $150 ten minutes in: big wait from that change.
    const grown = small({ total: { minor: 150_00, currency: 'USD' }, lastChangedAt: iso(T, 10 * MIN) });
    const early = wake(grown, at(T, HOUR));
    expectMove(early.decision, 'still_shopping', at(T, 70 * MIN));
    const { decision, row } = wake(grown, at(T, 4 * HOUR));
    expectMove(decision, 'first_reminder', checkAfter(at(T, 4 * HOUR)));
    expectMove(wake(row, checkAfter(at(T, 4 * HOUR))).decision, 'still_shopping', at(T, 24 * HOUR));
    expect(decision.reason).toMatch(/^big cart/);
  });
});

describe('still shopping', () => {
  it('a cart changed after the wake-up was set reschedules to exactly change + wait', () => {
    const changed = cart({ lastChangedAt: iso(T, 40 * MIN) });
    const result = wake(changed, at(T, HOUR));
    expectMove(result.decision, 'still_shopping', at(T, 100 * MIN));
    expect(result.row).toMatchObject({ wakeSeq: 2, wakeUpAt: iso(T, 100 * MIN), remindersSent: 0 });
    expect(result.row.lastReminderAt).toBeUndefined();
    const first = wake(result.row, at(T, 100 * MIN));
    expectMove(first.decision, 'first_reminder', checkAfter(at(T, 100 * MIN)));
    expectMove(wake(first.row, checkAfter(at(T, 100 * MIN))).decision, 'still_shopping', at(T, 100 * MIN + 20 * HOUR));
  });

  it('a cart that shrank below the threshold waits the small first wait from the change', () => {
    const shrunk = cart({ total: { minor: 30_00, currency: 'USD' }, lastChangedAt: iso(T, 30 * MIN) });
    expectMove(wake(shrunk, at(T, HOUR)).decision, 'still_shopping', at(T, 30 * MIN + 4 * HOUR));
  });

  it('a cart edited after the first reminder restarts the second wait from the edit', () => {
    const reminded = wake(cart(), at(T, HOUR)).row;
    const edited: CartRow = { ...reminded, lastChangedAt: iso(T, 5 * HOUR) };
    const early = wake(edited, at(T, 21 * HOUR));
    expectMove(early.decision, 'still_shopping', at(T, 25 * HOUR));
    expect(early.decision.reason).toContain('second reminder due 20h after last change at 2026-11-02T20:00Z');
    const second = wake(early.row, at(T, 25 * HOUR));
    expectMove(second.decision, 'second_reminder', checkAfter(at(T, 25 * HOUR)));
    expectMove(wake(second.row, checkAfter(at(T, 25 * HOUR))).decision, 'still_shopping', at(T, 25 * HOUR + 7 * DAY));
  });

  it('an early wake-up (before the wait elapsed) sends nothing', () => {
    const result = wake(cart(), at(T, 30 * MIN));
    expectMove(result.decision, 'still_shopping', at(T, HOUR));
    expect(result.row.remindersSent).toBe(0);
  });

  it('after the last reminder, an edit moves the give-up 7 days after the edit', () => {
    const afterSecond = cart({
      remindersSent: 2,
      lastReminderAt: iso(T, 21 * HOUR),
      firstSentAt: iso(T, HOUR),
      secondSentAt: iso(T, 21 * HOUR),
      wakeUpAt: iso(T, 21 * HOUR + 7 * DAY),
    });
    const edited: CartRow = { ...afterSecond, lastChangedAt: iso(T, 3 * DAY) };
    const result = wake(edited, at(T, 21 * HOUR + 7 * DAY));
    expectMove(result.decision, 'still_shopping', at(T, 10 * DAY));
    expectMove(wake(result.row, at(T, 10 * DAY)).decision, 'give_up');
  });
});

describe('exactly-due boundaries', () => {
  it.each([
    ['first reminder', cart(), HOUR, 'first_reminder'],
    [
      'second reminder',
      cart({ remindersSent: 1, lastReminderAt: iso(T, HOUR), firstSentAt: iso(T, HOUR) }),
      21 * HOUR,
      'second_reminder',
    ],
    [
      'give-up',
      cart({
        remindersSent: 2,
        lastReminderAt: iso(T, 21 * HOUR),
        firstSentAt: iso(T, HOUR),
        secondSentAt: iso(T, 21 * HOUR),
      }),
      21 * HOUR + 7 * DAY,
      'give_up',
    ],
  ] as const)('%s: now == due acts; 1 ms earlier waits until due', (_label, row, dueMs, move) => {
    expect(wake(row, at(T, dueMs)).decision).toMatchObject({ kind: 'move', move });
    expectMove(wake(row, at(T, dueMs - 1)).decision, 'still_shopping', at(T, dueMs));
  });
});

describe('reminder caps', () => {
  it('maxReminders 1: gives up 7 days after the first reminder, never a second', () => {
    const oneOnly = rules({ maxReminders: 1 });
    const first = wake(cart(), at(T, HOUR), oneOnly);
    expectMove(first.decision, 'first_reminder', checkAfter(at(T, HOUR)));
    const waiting = wake(first.row, at(T, 21 * HOUR), oneOnly);
    expectMove(waiting.decision, 'still_shopping', at(T, HOUR + 7 * DAY));
    expect(runOut(first.row, oneOnly).moves.map((m) => m.move)).toEqual(['give_up']);
  });

  it.each([3, 5, 99])('a rules doc asking for %i reminders is still capped at two', (max) => {
    const greedy = rules({ maxReminders: max as Rules['maxReminders'] });
    const { moves, row } = runOut(cart(), greedy);
    expect(moves.map((m) => m.move)).toEqual(['first_reminder', 'second_reminder', 'give_up']);
    expect(row.remindersSent).toBe(2);
  });

  it('a row that somehow has more reminders than the cap goes straight to the give-up check', () => {
    const over = cart({ remindersSent: 3, lastReminderAt: iso(T, 2 * DAY), secondSentAt: iso(T, 2 * DAY) });
    expectMove(wake(over, at(T, 3 * DAY)).decision, 'still_shopping', at(T, 9 * DAY));
    expectMove(wake(over, at(T, 9 * DAY)).decision, 'give_up');
  });
});

describe('ended carts get no move', () => {
  it.each([
    [
      'checked_out',
      { status: 'checked_out', checkedOutAt: iso(T, 30 * MIN), stopReason: 'checked out', wakeUpAt: undefined },
    ],
    ['stopped', { status: 'stopped', stopReason: 'unsubscribed from all reminders', wakeUpAt: undefined }],
    ['given_up', { status: 'given_up', remindersSent: 2, stopReason: 'given up', wakeUpAt: undefined }],
  ] as const)('%s and already recorded: ended, no reschedule, nothing written', (status, overrides) => {
    const row = cart(overrides);
    const result = wake(row, at(T, 5 * DAY));
    expect(result.decision).toMatchObject({ kind: 'ended', status, record: false });
    expect('nextWakeAt' in result.decision).toBe(false);
    expect(result.written).toBe(false);
  });

  it('a checked-out row still showing the fired wake-up is recorded: status kept, wake-up cleared', () => {
    const row = cart({ status: 'checked_out', checkedOutAt: iso(T, 30 * MIN) });
    const result = wake(row, at(T, HOUR));
    expect(result.decision).toMatchObject({ kind: 'ended', status: 'checked_out', record: true });
    expect(result.decision.reason).toContain('checked out at 2026-11-02T15:30Z');
    expect(result.row.status).toBe('checked_out');
    expect(result.row.wakeUpAt).toBeUndefined();
    expect(result.row.stopReason).toBe('checked out at 2026-11-02T15:30Z');
    expect(result.row).toMatchObject({ wakeSeq: 1, remindersSent: 0 });
  });

  it('keeps the reason already on a final row when clearing its wake-up', () => {
    const row = cart({ status: 'stopped', stopReason: 'unsubscribed from this cart' });
    const result = wake(row, at(T, HOUR));
    expect(result.decision).toMatchObject({ kind: 'ended', record: true });
    expect(result.row.stopReason).toBe('unsubscribed from this cart');
  });

  it('checkout wins over an owner stop on the same cart', () => {
    const row = cart({ status: 'checked_out', stopReason: 'checked out', wakeUpAt: undefined });
    const stopped = rules({ stoppedCarts: [{ target: 'cart-1', reason: 'asked by phone' }] });
    expect(wake(row, at(T, HOUR), stopped).decision).toMatchObject({
      kind: 'ended',
      status: 'checked_out',
      record: false,
    });
  });
});

describe('owner stops and opt-outs end the chase', () => {
  it.each([
    [
      'by cart id',
      rules({ stoppedCarts: [{ target: 'cart-1', reason: 'friend of the shop, no emails', line: 12 }] }),
      'friend of the shop, no emails',
    ],
    [
      'by email',
      rules({ stoppedEmails: [{ target: 'sam@example.com', reason: 'asked us by phone' }] }),
      'asked us by phone',
    ],
    [
      'by email, whatever the case',
      rules({ stoppedEmails: [{ target: 'Sam@Example.com ', reason: 'wholesale buyer' }] }),
      'wholesale buyer',
    ],
  ])('owner stop %s: recorded as stopped with the owner’s reason', (_label, r, ownerReason) => {
    const result = wake(
      cart({ remindersSent: 1, lastReminderAt: iso(T, HOUR), wakeSeq: 2, wakeUpAt: iso(T, 21 * HOUR) }),
      at(T, 21 * HOUR),
      r,
    );
    expect(result.decision).toMatchObject({ kind: 'ended', status: 'stopped', record: true, stopReason: ownerReason });
    expect(result.decision.reason).toContain(ownerReason);
    expect(result.row).toMatchObject({ status: 'stopped', stopReason: ownerReason, wakeSeq: 2, remindersSent: 1 });
    expect(result.row.wakeUpAt).toBeUndefined();
  });

  it('names the rules doc line of an owner stop in the log', () => {
    const r = rules({ stoppedCarts: [{ target: 'cart-1', reason: 'no emails please', line: 12 }] });
    expect(wake(cart(), at(T, HOUR), r).decision.reason).toContain('line 12');
  });

  it('stops for other carts or addresses do not touch this one', () => {
    const r = rules({
      stoppedCarts: [{ target: 'cart-2', reason: 'other' }],
      stoppedEmails: [{ target: 'alex@example.com', reason: 'other' }],
    });
    expect(wake(cart(), at(T, HOUR), r).decision).toMatchObject({ kind: 'move', move: 'first_reminder' });
    expect(wake(cart({ email: undefined }), at(T, HOUR), r).decision).toMatchObject({
      kind: 'move',
      move: 'first_reminder',
    });
  });

  it.each(['cart', 'all'] as const)('opt-out (%s) ends the chase as stopped', (scope) => {
    const result = wake(cart(), at(T, HOUR), DEFAULT_RULES, scope);
    expect(result.decision).toMatchObject({ kind: 'ended', status: 'stopped', record: true });
    expect(result.decision.reason).toMatch(/unsubscribed/);
    expect(result.row).toMatchObject({ status: 'stopped', remindersSent: 0 });
    expect(result.row.stopReason).toMatch(/unsubscribed/);
    expect(result.row.wakeUpAt).toBeUndefined();
  });

  it('a pause holds a due reminder without spending it, and the chase goes on from where it stood after', () => {
    const paused = rules({ pause: { target: '', reason: 'holiday', line: 9 } });
    const held = wake(cart(), at(T, HOUR), paused);
    expectMove(held.decision, 'still_shopping', at(T, HOUR + PAUSE_RECHECK_MINUTES * MIN));
    expect(held.decision.kind === 'move' && held.decision.reason).toMatch(
      new RegExp(
        /first reminder due 1h .*held because the owner paused reminders \(rules doc line 9\)/.source +
          /: "holiday"; not sent and not counted/.source,
      ),
    );
    expect(held.row).toMatchObject({ remindersSent: 0, wakeSeq: 2 });
    expect(held.row.lastReminderAt).toBeUndefined();
    // Two days of pause: still held, still the first reminder.
    const later = wake({ ...held.row, wakeSeq: 2 }, at(T, 2 * DAY), paused);
    expect(later.row).toMatchObject({ remindersSent: 0 });
    // The pause is lifted: the first reminder goes, as the first.
    const resumed = wake(later.row, at(T, 2 * DAY + HOUR), DEFAULT_RULES);
    expect(resumed.decision).toMatchObject({ kind: 'move', move: 'first_reminder', step: 'first' });
    expect(resumed.row).toMatchObject({ remindersSent: 1, lastReminderAt: iso(T, 2 * DAY + HOUR) });
  });

  it('a reminder held by a pause past the give-up window is given up, with the reason', () => {
    const paused = rules({ pause: { target: '', reason: 'stock count' } });
    const lastCheck = wake(cart(), at(T, 7 * DAY - MIN), paused);
    expectMove(lastCheck.decision, 'still_shopping', at(T, 7 * DAY));
    const late = wake({ ...lastCheck.row }, at(T, 7 * DAY), paused);
    expectMove(late.decision, 'give_up');
    expect(late.decision.kind === 'move' && late.decision.reason).toMatch(
      /held since .*"stock count".*too late for a reminder: giving up/,
    );
    expect(late.row).toMatchObject({ status: 'given_up', remindersSent: 0 });
  });

  it('a pause during the give-up wait changes nothing: the cart is given up on time', () => {
    const paused = rules({ pause: { target: '', reason: 'holiday' } });
    const done = cart({ remindersSent: 2, lastReminderAt: iso(T, 21 * HOUR) });
    expectMove(wake(done, at(T, 21 * HOUR + 7 * DAY), paused).decision, 'give_up');
  });
});

describe('stale wake-ups', () => {
  it.each([
    ['an old seq', cart({ wakeSeq: 3 }), 2],
    ['a future seq', cart({ wakeSeq: 3 }), 4],
    ['a row without a wake-up sequence', cart({ wakeSeq: undefined, wakeUpAt: undefined }), 1],
    ['an old seq on an ended row', cart({ status: 'checked_out', wakeSeq: 3 }), 2],
    ['an old seq on a row an owner stop applies to', cart({ wakeSeq: 3 }), 1],
  ])('%s does nothing at all', (_label, row, seq) => {
    const r = rules({ stoppedCarts: [{ target: 'cart-1', reason: 'x' }] });
    const decision = decideWake({ cart: row, wakeSeq: seq, rules: r, now: at(T, 2 * DAY) });
    expect(decision.kind).toBe('stale');
    expect(decision.reason).toContain(`#${seq}`);
    expect(applyWakeDecision(row, decision, at(T, 2 * DAY))).toBeUndefined();
  });

  it('a duplicate delivery of a reminder wake-up is stale after the first one was applied', () => {
    const first = wake(cart(), at(T, HOUR));
    const duplicate = decideWake({ cart: first.row, wakeSeq: 1, rules: DEFAULT_RULES, now: at(T, HOUR + 5 * MIN) });
    expect(duplicate.kind).toBe('stale');
  });
});

describe('applyWakeDecision', () => {
  it('is deterministic and never mutates the row it is given', () => {
    const row = Object.freeze(cart());
    const decision = decideWake({ cart: row, wakeSeq: 1, rules: DEFAULT_RULES, now: at(T, HOUR) });
    const a = applyWakeDecision(row, decision, at(T, HOUR));
    const b = applyWakeDecision(row, decision, at(T, HOUR));
    expect(a).toEqual(b);
    expect(row.remindersSent).toBe(0);
    expect(row.wakeSeq).toBe(1);
  });

  it('leaves every other field of the row alone', () => {
    const row = cart({ firstName: 'Sam', returnUrl: 'https://shop.example/cart/1' });
    const next = wake(row, at(T, HOUR), DEFAULT_RULES, undefined, null).row;
    const { remindersSent, lastReminderAt, wakeSeq, wakeUpAt, ...rest } = next;
    const { remindersSent: _r, wakeSeq: _s, wakeUpAt: _w, ...before } = row;
    expect(rest).toEqual(before);
    expect({ remindersSent, lastReminderAt, wakeSeq, wakeUpAt }).toEqual({
      remindersSent: 1,
      lastReminderAt: iso(T, HOUR),
      wakeSeq: 2,
      wakeUpAt: checkAfter(at(T, HOUR)).toISOString(),
    });
  });

  it('refuses a hand-made reminder decision without a next wake-up', () => {
    expect(() =>
      applyWakeDecision(cart(), { kind: 'move', move: 'first_reminder', step: 'first', reason: 'x' }, at(T, HOUR)),
    ).toThrow(/nextWakeAt/);
  });
});

describe('bad input', () => {
  it('refuses a row with an unreadable lastChangedAt instead of guessing', () => {
    expect(() =>
      decideWake({ cart: cart({ lastChangedAt: 'yesterday' }), wakeSeq: 1, rules: DEFAULT_RULES, now: at(T, HOUR) }),
    ).toThrow(/lastChangedAt/);
  });
});

describe('the follow-up is timed from the email the shopper got, not from the hand-off', () => {
  // A $120 cart left at 23:30 New York time (04:30Z): the first reminder falls due at 00:30, inside quiet hours.
  const LEFT = '2026-11-03T04:30:00.000Z';
  const late = () => cart({ lastChangedAt: LEFT, eventKey: `${LEFT}#e`, firstSeenAt: LEFT, wakeUpAt: iso(LEFT, HOUR) });

  it(
    'a first reminder held overnight: the waiter looks again after the morning release, ' +
      'then times the follow-up from the send',
    () => {
      const handOff = wake(late(), at(LEFT, HOUR), DEFAULT_RULES, undefined, null);
      expect(handOff.decision).toMatchObject({ kind: 'move', move: 'first_reminder' });
      const check = handOff.row.wakeUpAt ?? '';
      // 08:00 New York is 13:00Z, when the morning's release begins; the waiter looks 5 minutes later.
      expect(check).toBe('2026-11-03T13:05:00.000Z');

      // SES accepted it at 08:01:10.
      const sentAt = '2026-11-03T13:01:10.000Z';
      const looked = wake({ ...handOff.row, firstSentAt: sentAt }, new Date(check));
      expectMove(looked.decision, 'still_shopping', at(sentAt, 20 * HOUR));
      expect(looked.decision.reason).toContain('after the first reminder sent at 2026-11-03T13:01:10Z');
    },
  );

  it(
    'a reminder not settled at the check is looked at again hourly, ' +
      'and given up once the give-up window since the hand-off has passed',
    () => {
      const handOff = wake(cart(), at(T, HOUR), DEFAULT_RULES, undefined, null);
      const check = checkAfter(at(T, HOUR));
      const waiting = wake(handOff.row, check);
      expectMove(waiting.decision, 'still_shopping', at(check.toISOString(), HOUR));
      expect(waiting.decision.reason).toContain('has not gone out yet');
      expect(waiting.row.remindersSent).toBe(1);
      const tooLate = wake({ ...waiting.row, wakeUpAt: iso(T, HOUR + 7 * DAY) }, at(T, HOUR + 7 * DAY));
      expectMove(tooLate.decision, 'give_up');
      expect(tooLate.decision.kind === 'move' && tooLate.decision.reason).toContain(
        'was neither sent nor ended within 7d',
      );
    },
  );

  it('a skipped first reminder ends the chase at once: a follow-up is never the only email', () => {
    const handOff = wake(cart(), at(T, HOUR), DEFAULT_RULES, undefined, null);
    const skipped: CartRow = {
      ...handOff.row,
      firstOutcome: { outcome: 'skipped', at: iso(T, HOUR), handOffAt: iso(T, HOUR), reason: 'do_not_disturb' },
    };
    const result = wake(skipped, checkAfter(at(T, HOUR)));
    expectMove(result.decision, 'give_up');
    expect(result.row).toMatchObject({ status: 'given_up', remindersSent: 1 });
    expect(result.row.stopReason).toContain('the first reminder was not sent (do not disturb');
  });

  it(
    'a reminder given back by the sender (cart changed after the hand-off) ' +
      'is not counted and is timed from the change',
    () => {
      const handOff = wake(cart(), at(T, HOUR), DEFAULT_RULES, undefined, null);
      const changed = iso(T, 90 * MIN);
      const returned: CartRow = {
        ...handOff.row,
        lastChangedAt: changed,
        firstOutcome: { outcome: 'returned', at: iso(T, 91 * MIN), handOffAt: iso(T, HOUR), reason: 'still_shopping' },
      };
      const result = wake(returned, at(T, 95 * MIN));
      expectMove(result.decision, 'still_shopping', at(changed, HOUR));
      expect(result.decision.kind === 'move' && result.decision.retractsHandOff).toBe(true);
      expect(result.row.remindersSent).toBe(0);
      // Handed off again when due; the old verdict answers the old hand-off only.
      const again = wake(result.row, at(changed, HOUR), DEFAULT_RULES, undefined, null);
      expect(again.decision).toMatchObject({ kind: 'move', move: 'first_reminder', step: 'first' });
      expect(again.row).toMatchObject({ remindersSent: 1, lastReminderAt: iso(changed, HOUR) });
      expect(wake(again.row, checkAfter(at(changed, HOUR))).decision).toMatchObject({
        kind: 'move',
        move: 'still_shopping',
      });
    },
  );

  it(
    "a first reminder skipped for the owner's stop is taken back when the stop is lifted: " +
      'the cart picks up where it stood',
    () => {
      const handOff = wake(cart(), at(T, HOUR), DEFAULT_RULES, undefined, null);
      const skipped: CartRow = {
        ...handOff.row,
        firstOutcome: { outcome: 'skipped', at: iso(T, HOUR), handOffAt: iso(T, HOUR), reason: 'owner_stopped_cart' },
      };
      // While the stop is in force the chase ends with it.
      const stopped = rules({ stoppedCarts: [{ target: 'cart-1', reason: 'phoned' }] });
      expect(wake(skipped, checkAfter(at(T, HOUR)), stopped).decision).toMatchObject({
        kind: 'ended',
        status: 'stopped',
      });
      // Lifted (the row reopened): the first reminder goes again, not the follow-up, and the count stays one.
      const again = wake({ ...skipped, wakeUpAt: iso(T, 2 * DAY) }, at(T, 2 * DAY), DEFAULT_RULES, undefined, null);
      expect(again.decision).toMatchObject({
        kind: 'move',
        move: 'first_reminder',
        step: 'first',
        retractsHandOff: true,
      });
      expect(again.row.remindersSent).toBe(1);
    },
  );

  it('a test-mode send times the chase like a real one', () => {
    const handOff = wake(cart(), at(T, HOUR), DEFAULT_RULES, undefined, null);
    const tested: CartRow = {
      ...handOff.row,
      firstOutcome: { outcome: 'test_sent', at: iso(T, 62 * MIN), handOffAt: iso(T, HOUR), reason: 'test' },
    };
    expectMove(wake(tested, checkAfter(at(T, HOUR))).decision, 'still_shopping', at(T, 62 * MIN + 20 * HOUR));
  });

  it('a skipped second reminder: give-up 7 days after the first email', () => {
    const row = cart({
      remindersSent: 2,
      firstSentAt: iso(T, HOUR),
      lastReminderAt: iso(T, 21 * HOUR),
      secondOutcome: { outcome: 'skipped', at: iso(T, 21 * HOUR), handOffAt: iso(T, 21 * HOUR), reason: 'no_consent' },
    });
    expectMove(wake(row, at(T, 22 * HOUR)).decision, 'still_shopping', at(T, HOUR + 7 * DAY));
  });
});
