import { storeJobDue, type StoreJob } from '../domain/schedules/store-time';
import type { Log } from '../ports/log';
import type { RulesSource } from '../ports/owner-docs';

/** The outcome of an hourly tick: the job ran, or it is not the job's hour in the store's zone. */
export type StoreJobTick<T> =
  | { readonly ran: true; readonly result: T }
  | { readonly ran: false; readonly reason: string };

/**
 * Runs `job` when the hourly tick scheduled for `tick` falls on its local hour in the store's zone (from the rules
 * doc, read at the tick, so a changed zone applies from the next hour). A retried tick keeps its scheduled time, so a
 * retry an hour late still runs the job it was for.
 */
export async function runStoreJobIfDue<T>(
  job: StoreJob,
  tick: Date,
  deps: { readonly rules: RulesSource; readonly log: Log },
  run: () => Promise<T>,
): Promise<StoreJobTick<T>> {
  const zone = (await deps.rules.current()).store.timeZone;
  if (!storeJobDue(job, tick, zone)) return { ran: false, reason: `not ${job} time in ${zone}` };
  deps.log.info(`${job} due`, { tick: tick.toISOString(), zone });
  return { ran: true, result: await run() };
}
