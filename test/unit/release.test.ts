import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NEW_ACCOUNT_CAPACITY,
  RELEASE_SAFETY_MARGIN,
  releaseDeadline,
  releaseOverflow,
  releasePlan,
  releaseRate,
  releaseSlotAt,
  type SendCapacity,
  throttleQueueAt,
} from '../../src/domain/cart/release';

const EIGHT_NY = new Date('2026-11-03T13:00:00Z');
const capacity = (over: Partial<SendCapacity> = {}): SendCapacity => ({
  ...NEW_ACCOUNT_CAPACITY,
  senderSecondsPerSend: 1,
  source: 'test',
  ...over,
});

describe('the release rate', () => {
  it("is the lower of SES's rate and what the senders can carry, times the margin", () => {
    expect(releaseRate(capacity({ senderSecondsPerSend: 0.5 }))).toEqual({
      perSecond: 14 * RELEASE_SAFETY_MARGIN,
      limitedBy: 'ses_rate',
    });
    expect(releaseRate(capacity({ sesMaxSendRate: 50 }))).toEqual({
      perSecond: 10 * RELEASE_SAFETY_MARGIN,
      limitedBy: 'sender_concurrency',
    });
    expect(releaseRate(capacity({ sesMaxSendRate: 50, senderConcurrency: 1_000 })).perSecond).toBeCloseTo(45, 10);
  });

  it(
    'reads nonsense limits as the smallest sensible account, ' +
      'so a bad reading slows the release and never stops it',
    () => {
      for (const bad of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(
          releaseRate(capacity({ sesMaxSendRate: bad, senderConcurrency: bad, senderSecondsPerSend: bad })).perSecond,
        ).toBeCloseTo(0.9, 10);
      }
    },
  );
});

describe('places in a release', () => {
  it(
    'never asks SES for more than its rate in any second, ' +
      'keeps the senders in flight within their concurrency, and drains within 1.2x the bound',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 200 }), // SES's rate (whole messages a second, as SES states it)
          fc.integer({ min: 1, max: 1_000 }), // sender concurrency
          fc.integer({ min: 50, max: 3_000 }), // ms per send
          fc.integer({ min: 1, max: 5_000 }), // reminders held
          (ses, concurrency, ms, reminders) => {
            const rate = releaseRate(
              capacity({ sesMaxSendRate: ses, senderConcurrency: concurrency, senderSecondsPerSend: ms / 1000 }),
            );
            const seconds = Array.from(
              { length: reminders },
              (_, i) => (releaseSlotAt(EIGHT_NY, i + 1, rate).getTime() - EIGHT_NY.getTime()) / 1000,
            );
            const perSecond = new Map<number, number>();
            for (const second of seconds) perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
            // Whole seconds, in order, none skipped ahead of a free one.
            expect(seconds.every((s, i) => Number.isInteger(s) && (i === 0 || s >= (seconds[i - 1] ?? 0)))).toBe(true);
            expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(ses);
            // Little's law: senders in flight on average = pace x time per send,
            // which stays within 90% of the concurrency.
            expect(rate.perSecond * (ms / 1000)).toBeLessThanOrEqual(RELEASE_SAFETY_MARGIN * concurrency + 1e-9);
            const bound = reminders / Math.min(ses, concurrency / (ms / 1000));
            // The last reminder goes out at most 1 / 0.9 = 1.11 times the bound after 08:00.
            expect(seconds.at(-1) ?? 0).toBeLessThanOrEqual(1.2 * bound);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('gives a small morning its reminders in the first seconds after 08:00', () => {
    const rate = releaseRate(capacity());
    expect(releaseSlotAt(EIGHT_NY, 1, rate)).toEqual(EIGHT_NY);
    expect(releaseSlotAt(EIGHT_NY, 9, rate)).toEqual(EIGHT_NY);
    expect(releaseSlotAt(EIGHT_NY, 10, rate)).toEqual(new Date(EIGHT_NY.getTime() + 1_000));
    // 2,000 at a new account's 9 a second (10 senders of 1 s): done by 08:03:43.
    expect(releasePlan(2_000, EIGHT_NY, rate).endsAt).toEqual(new Date('2026-11-03T13:03:42Z'));
  });
});

describe('whether a release fits the morning', () => {
  const rate = releaseRate(capacity({ sesMaxSendRate: 1, senderSecondsPerSend: 1 }));
  const check = (place: number, timeZone = 'America/New_York', quota = 50_000) =>
    releaseOverflow({
      releaseAt: EIGHT_NY,
      place,
      at: releaseSlotAt(EIGHT_NY, place, rate),
      timeZone,
      capacity: capacity({ sesMax24HourSend: quota }),
      rate,
    });

  it('fits up to local noon and says so plainly past it', () => {
    expect(check(12_961)).toBeUndefined(); // 12:00:00 exactly
    expect(check(12_962)).toMatchObject({ kind: 'past_noon' });
    expect(check(12_962)?.detail).toMatch(/12:00 local, past noon.*higher SES sending rate/);
  });

  it("says when the morning alone is more than SES's 24-hour quota", () => {
    expect(check(201, 'America/New_York', 200)).toMatchObject({ kind: 'over_daily_quota' });
    expect(check(200, 'America/New_York', 200)).toBeUndefined();
  });

  it('finds noon on a clock-change day, and gives an afternoon release the rest of its day', () => {
    // 2026-11-01 is the fall-back day in New York: 08:00 EST is 13:00Z and noon is 17:00Z.
    expect(releaseDeadline(new Date('2026-11-01T13:00:00Z'), 'America/New_York')).toEqual(
      new Date('2026-11-01T17:00:00Z'),
    );
    // Quiet hours that end at 14:00 local: the release may run until the end of that day.
    expect(releaseDeadline(new Date('2026-11-03T19:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-04T04:59:59.999Z',
    );
  });
});

describe("a throttle's queue", () => {
  it('is the next whole minute, always after now', () => {
    expect(throttleQueueAt(new Date('2026-11-03T18:00:10.500Z'))).toEqual(new Date('2026-11-03T18:01:00Z'));
    expect(throttleQueueAt(new Date('2026-11-03T18:00:00Z'))).toEqual(new Date('2026-11-03T18:01:00Z'));
  });
});
