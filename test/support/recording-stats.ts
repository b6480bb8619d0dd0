import { type CounterIncrement, EMPTY_COUNTERS, type MonthlyCounters } from '../../src/domain/reporting/summary';
import type { Stats, StatsEntry } from '../../src/ports/stats';

/** Keeps every increment, for tests that look at (or ignore) the monthly counters. */
export class RecordingStats implements Stats {
  readonly increments: Array<{ at: Date } & CounterIncrement> = [];
  readonly batchKeys: string[] = [];

  async add(at: Date, ...increments: CounterIncrement[]): Promise<void> {
    for (const increment of increments) this.increments.push({ at, ...increment });
  }

  async addBatch(entries: readonly StatsEntry[], batchKey: string): Promise<void> {
    this.batchKeys.push(batchKey);
    for (const { at, increments } of entries) await this.add(at, ...increments);
  }

  async month(): Promise<MonthlyCounters> {
    return EMPTY_COUNTERS;
  }

  counted(counter: CounterIncrement['counter']): number {
    return this.increments.filter((i) => i.counter === counter).reduce((sum, i) => sum + (i.undo ? -1 : 1), 0);
  }
}
