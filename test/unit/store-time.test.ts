/**
 * One time zone: the nightly import and the monthly summary are ticked hourly in UTC and run at their local hour in
 * the rules doc's zone, across daylight saving time, half-hour zones and zones ahead of UTC.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextStoreJobTick, storeJobDue, type StoreJob } from '../../src/domain/schedules/store-time';
import { createSummaryHandler } from '../../src/handlers/summary';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { silentLog } from '../../src/ports/log';
import type { OutgoingEmail } from '../../src/ports/mailer';
import { fixedRules } from '../../src/ports/owner-docs';
import type { Stats } from '../../src/ports/stats';
import { EMPTY_COUNTERS } from '../../src/domain/reporting/summary';

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
];
/** Every hourly tick (UTC, on the hour) from 31 Dec 2025 to 1 Jan 2027, as the schedule sends them. */
const TICKS = Array.from({ length: 367 * 24 }, (_, h) => new Date(Date.UTC(2025, 11, 31) + h * 3_600_000));

describe("store jobs follow the rules doc's zone", () => {
  it.each(ZONES)(
    'in %s the import runs once every local day of 2026, at 02:xx (03:xx when DST skips 02:00)',
    (zone) => {
      const runs = TICKS.filter((tick) => storeJobDue('nightly-import', tick, zone)).map((tick) =>
        DateTime.fromJSDate(tick, { zone }),
      );
      const days = runs.map((local) => local.toISODate()).filter((day) => day?.startsWith('2026'));
      expect(new Set(days).size).toBe(365);
      expect(days.length).toBe(365); // never twice in a day, even when the clocks go back
      for (const local of runs) expect([2, 3]).toContain(local.hour);
    },
  );

  it.each(ZONES)('in %s the summary runs twelve times in 2026, at 08:xx on the 1st', (zone) => {
    const runs = TICKS.filter((tick) => storeJobDue('monthly-summary', tick, zone)).map((tick) =>
      DateTime.fromJSDate(tick, { zone }),
    );
    const inYear = runs.filter((local) => local.year === 2026);
    expect(inYear.map((local) => local.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const local of inYear) expect([local.day, local.hour]).toEqual([1, 8]);
  });

  it(
    'on the night New York skips 02:00, imports at 03:00 EDT, ' +
      'and on the night it repeats 01:00, once at 02:00 EST',
    () => {
      // 03:00 EDT
      expect(storeJobDue('nightly-import', new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(true);
      // 02:00 EST
      expect(storeJobDue('nightly-import', new Date('2026-11-01T07:00:00Z'), 'America/New_York')).toBe(true);
      // 01:00 EST, again
      expect(storeJobDue('nightly-import', new Date('2026-11-01T06:00:00Z'), 'America/New_York')).toBe(false);
    },
  );
});

describe('the next tick a job runs at (the local system wakes only at these)', () => {
  it.each(
    ZONES.flatMap((zone) => (['nightly-import', 'monthly-summary'] as StoreJob[]).map((job) => [job, zone] as const)),
  )('%s in %s: following each run to the next gives exactly the hourly ticks storeJobDue picks', (job, zone) => {
    const due = TICKS.filter((tick) => storeJobDue(job, tick, zone)).map((tick) => tick.toISOString());
    const followed: string[] = [];
    for (let at = nextStoreJobTick(job, TICKS[0]!, zone); at <= TICKS.at(-1)!; at = nextStoreJobTick(job, at, zone)) {
      followed.push(at.toISOString());
    }
    expect(due.length).toBeGreaterThan(job === 'nightly-import' ? 360 : 11);
    expect(followed).toEqual(due.filter((tick) => tick > TICKS[0]!.toISOString()));
  });

  it('counts from the hour after a time between ticks, and refuses a zone it cannot read', () => {
    // 01:59:59 New York time on 2 Mar 2026 (06:59:59 UTC): the next 02:00 local is 07:00 UTC that day.
    expect(nextStoreJobTick('nightly-import', new Date('2026-03-02T06:59:59Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-02T07:00:00.000Z',
    );
    expect(nextStoreJobTick('nightly-import', new Date('2026-03-02T07:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-03T07:00:00.000Z',
    );
    expect(() => nextStoreJobTick('nightly-import', new Date('2026-03-02T00:00:00Z'), 'Mars/Olympus')).toThrow(
      /zone "Mars\/Olympus"/,
    );
  });
});

describe('the summary handler on an hourly tick', () => {
  const build = (zone: string) => {
    const sent: OutgoingEmail[] = [];
    const stats = { month: async () => EMPTY_COUNTERS } as unknown as Stats;
    const handler = createSummaryHandler({
      stats,
      rules: fixedRules({ ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, timeZone: zone } }),
      mailer: {
        send: async (email) => {
          sent.push(email);
          return { messageId: `m-${sent.length}` };
        },
      },
      clock: { now: () => new Date('2026-12-01T13:00:00Z') },
      log: silentLog,
      owner: { email: 'owner@store.example', from: 'reminders@store.example' },
    });
    return { handler, sent };
  };

  it(
    "sends at 08:00 on the 1st in the rules doc's zone, " + "not at other ticks; an operator's month is sent at once",
    async () => {
      const { handler, sent } = build('America/New_York');
      expect(await handler({ scheduled: '2026-12-01T08:00:00Z' })).toEqual({
        notDue: 'not monthly-summary time in America/New_York',
      });
      expect(sent).toHaveLength(0);
      expect(await handler({ scheduled: '2026-12-01T13:00:00Z' })).toEqual({ month: '2026-11', messageId: 'm-1' });
      expect(await handler({ month: '2026-10' })).toEqual({ month: '2026-10', messageId: 'm-2' });
      await expect(handler({ scheduled: 'yesterday' })).rejects.toThrow(
        /summary request not understood: scheduled: expected the schedule's ISO time/,
      );
    },
  );

  it('follows a change of zone in the rules doc without a deploy', async () => {
    const { handler } = build('Europe/London');
    expect(await handler({ scheduled: '2026-12-01T08:00:00Z' })).toEqual({ month: '2026-11', messageId: 'm-1' });
  });
});
