import { cartCountsOf, type CartRowWrite } from '../domain/reporting/cart-counters';
import type { Log } from '../ports/log';
import type { Stats } from '../ports/stats';

export interface CountCartWritesDeps {
  readonly stats: Stats;
  readonly log: Log;
}

/**
 * The monthly summary's cart counters (carts seen, carts with an address), from the writes to cart rows in the order
 * they happened: one all-or-nothing add for the batch, keyed by `batchKey` so a retried batch counts once. Kept off
 * the webhook's path: intake makes its one conditional write and the counting follows from the table's change stream.
 */
export async function countCartWrites(writes: readonly CartRowWrite[], batchKey: string, deps: CountCartWritesDeps): Promise<{ counted: number }> {
  const entries = writes.map(cartCountsOf).filter((counts) => counts !== undefined);
  if (entries.length > 0) await deps.stats.addBatch(entries, batchKey);
  deps.log.info('cart writes counted', { writes: writes.length, counted: entries.length });
  return { counted: entries.length };
}
