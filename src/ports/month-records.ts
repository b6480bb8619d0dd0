import type { CartRow } from '../domain/cart/cart';
import type { SendRecord } from './send-ledger';

/** Everything a full recount reads: the durable records, not the counters. */
export interface MonthRecords {
  readonly carts: readonly CartRow[];
  readonly sends: readonly SendRecord[];
  readonly activity: ReadonlyArray<{
    readonly at: Date;
    readonly actor: string;
    readonly action: string;
    readonly details?: Readonly<Record<string, unknown>>;
    /** The cart the entry is about (tells test-mode sends apart). */
    readonly cartId?: string;
  }>;
  readonly optOuts: ReadonlyArray<{ readonly at: string }>;
}
