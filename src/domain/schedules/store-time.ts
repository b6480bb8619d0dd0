/**
 * The recurring jobs (nightly import, monthly summary) are ticked every hour in UTC and run only at their local hour
 * in the store's zone, the rules doc's `Time zone`: one zone setting, which the owner can change without a deploy.
 */
import { DateTime } from 'luxon';

/** The jobs that run at a local hour of the store. */
export type StoreJob = 'nightly-import' | 'monthly-summary';

/** Each job's local hour (and for the summary, the day of the month). */
export const STORE_JOB_TIMES: Readonly<Record<StoreJob, { readonly hour: number; readonly day?: number }>> = {
  'nightly-import': { hour: 2 },
  'monthly-summary': { hour: 8, day: 1 },
};

/**
 * Whether the hourly tick scheduled for `tick` is the job's run in `zone`: the first tick in its local hour, or, on a
 * night daylight saving time skips that hour, the first tick after it. So exactly one run per local day. Ticks are
 * on the hour in UTC, so zones with half-hour offsets run at :30 or :45 past the local hour.
 */
export function storeJobDue(job: StoreJob, tick: Date, zone: string): boolean {
  const { hour, day } = STORE_JOB_TIMES[job];
  const local = DateTime.fromJSDate(tick, { zone });
  if (!local.isValid) return false;
  if (day !== undefined && local.day !== day) return false;
  const before = local.minus({ hours: 1 });
  const sameDay = before.day === local.day;
  // Fall back through the job's hour (02:00 twice in New Zealand in April): only its first time counts.
  if (local.hour === hour) return !(sameDay && before.hour === hour);
  // Spring forward over the job's hour (02:00 in much of America in March): the first tick past it counts.
  return sameDay && local.hour > hour && before.hour < hour;
}

/** Hours searched for the next run: a month and a day, so a monthly job on the 1st is always found. */
const SEARCH_HOURS = 32 * 24;

/**
 * The first hourly tick (on the hour in UTC) after `after` on which `job` runs in `zone` ({@link storeJobDue}): a
 * scheduler that wakes only at these ticks does what the deployed hourly schedule does, without the empty hours.
 * Throws on a zone luxon cannot read.
 */
export function nextStoreJobTick(job: StoreJob, after: Date, zone: string): Date {
  const firstTick = Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000;
  for (let hour = 0; hour < SEARCH_HOURS; hour += 1) {
    const tick = new Date(firstTick + hour * 3_600_000);
    if (storeJobDue(job, tick, zone)) return tick;
  }
  throw new Error(`no ${job} time in the month after ${after.toISOString()} in zone "${zone}"`);
}
