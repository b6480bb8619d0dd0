import { cartCountsOf, type CartRowWrite } from '../domain/reporting/cart-counters';
import type { Log } from '../ports/log';
import type { RulesSource } from '../ports/owner-docs';
import type { Stats } from '../ports/stats';

export interface CountCartWritesDeps {
  readonly stats: Stats;
  readonly log: Log;
  /** The recovery window (what counts as recovered and as came back) is the rules doc's give-up window. */
  readonly rules: RulesSource;
}

/**
 * The monthly summary's counters that follow from cart rows (carts seen, carts with an address, recovered and money
 * won back, the hold-back groups), from the writes to cart rows in the order they happened: one all-or-nothing add
 * for the batch, keyed by `batchKey` so a retried batch counts once. Each follows from what is durably on the row
 * (the table's change stream), so a writer that crashes right after its write loses no count, and none is counted
 * on any writer's path.
 */
export async function countCartWrites(
  writes: readonly CartRowWrite[],
  batchKey: string,
  deps: CountCartWritesDeps,
): Promise<{ counted: number }> {
  const rules = await deps.rules.current();
  const entries = writes.flatMap((write) => cartCountsOf(write, rules));
  if (entries.length > 0) await deps.stats.addBatch(entries, batchKey);
  deps.log.info('cart writes counted', { writes: writes.length, counted: entries.length });
  return { counted: entries.length };
}
