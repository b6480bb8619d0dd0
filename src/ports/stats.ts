import type { CounterIncrement, MonthlyCounters } from '../domain/reporting/summary';

/** Increments that count in the month `at` falls in (store time zone). */
export interface StatsEntry {
  readonly at: Date;
  readonly increments: readonly CounterIncrement[];
}

/** The monthly counters behind the owner's summary, bumped as things happen. */
export interface Stats {
  /** Adds to the counters of the month `at` falls in (store time zone). */
  add(at: Date, ...increments: CounterIncrement[]): Promise<void>;
  /**
   * Adds a batch of entries all or nothing. Calling again with the same `batchKey` and entries (a retried batch) adds
   * nothing more, for as long as the store can tell (DynamoDB: 10 minutes).
   */
  addBatch(entries: readonly StatsEntry[], batchKey: string): Promise<void>;
  /** The counters of one month (`2026-11`); zeros for a month with nothing. */
  month(month: string): Promise<MonthlyCounters>;
}
