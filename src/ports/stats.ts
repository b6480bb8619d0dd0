import type { CounterIncrement, MonthlyCounters } from '../domain/summary';

/** The monthly counters behind the owner's summary, bumped as things happen. */
export interface Stats {
  /** Adds to the counters of the month `at` falls in (store time zone). */
  add(at: Date, ...increments: CounterIncrement[]): Promise<void>;
  /** The counters of one month (`2026-11`); zeros for a month with nothing. */
  month(month: string): Promise<MonthlyCounters>;
}
