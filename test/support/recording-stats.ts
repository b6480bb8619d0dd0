import { type CounterIncrement, EMPTY_COUNTERS, type MonthlyCounters } from '../../src/domain/summary';
import type { Stats } from '../../src/ports/stats';

/** Keeps every increment, for tests that look at (or ignore) the monthly counters. */
export class RecordingStats implements Stats {
  readonly increments: Array<{ at: Date } & CounterIncrement> = [];

  async add(at: Date, ...increments: CounterIncrement[]): Promise<void> {
    for (const increment of increments) this.increments.push({ at, ...increment });
  }

  async month(): Promise<MonthlyCounters> {
    return EMPTY_COUNTERS;
  }

  counted(counter: CounterIncrement['counter']): number {
    return this.increments.filter((i) => i.counter === counter).length;
  }
}
