import type { CounterIncrement } from './summary';

/** The fields of a cart row that decide what it counts for in the monthly summary. */
export interface CartRowImage {
  /** Key of the cart event that created the row; absent on a row an order created for a cart never seen. */
  readonly createdBy?: string;
  /** Key of the event that brought the first email and set the first wake-up. */
  readonly wakeUpSetBy?: string;
  readonly firstSeenAt?: string;
}

/** One write to a cart row: the row before (absent when the write created it) and after (absent when it was deleted). */
export interface CartRowWrite {
  readonly before?: CartRowImage;
  readonly after?: CartRowImage;
}

/** What one write adds to the counters, and the instant whose month it counts in. */
export interface CartCounts {
  readonly at: Date;
  readonly increments: readonly CounterIncrement[];
}

const seen = (row: CartRowImage | undefined): row is CartRowImage & { firstSeenAt: string } =>
  row?.createdBy !== undefined && row.firstSeenAt !== undefined;
const withAddress = (row: CartRowImage | undefined) => seen(row) && row.wakeUpSetBy !== undefined;

/**
 * What a write to a cart row adds to the monthly counters, or nothing.
 *
 * A cart is *seen* once a cart event created its row, and *with address* once an event brought the email that set its
 * first wake-up. Each is counted by the one write that makes it true, in the month (store time) the cart was first
 * seen, which is exactly what the recount (`recountMonth`) finds in the rows afterwards. Both only ever turn true, so
 * deletions (TTL) and every later write count nothing, and the counters are history: they keep what a deleted row
 * once counted.
 */
export function cartCountsOf(write: CartRowWrite): CartCounts | undefined {
  const { before, after } = write;
  if (!seen(after)) return undefined;
  const increments: CounterIncrement[] = [];
  if (!seen(before)) increments.push({ counter: 'cartsSeen' });
  if (withAddress(after) && !withAddress(before)) increments.push({ counter: 'cartsWithAddress' });
  return increments.length === 0 ? undefined : { at: new Date(after.firstSeenAt), increments };
}
