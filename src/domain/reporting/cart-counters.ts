import type { CartRow } from '../cart/cart';
import type { Rules } from '../owner-docs/rules';
import { cameBack, isRecovered } from './attribution';
import type { CounterIncrement } from './summary';

/** The fields of a cart row that decide what it counts for in the monthly summary. */
export type CartRowImage = Partial<
  Pick<
    CartRow,
    'status' | 'checkedOutAt' | 'orderTotal' | 'total' | 'firstSentAt' | 'secondSentAt' | 'holdBack' | 'firstSeenAt'
  >
> & {
  /** Key of the cart event that created the row; absent on a row an order created for a cart never seen. */
  readonly createdBy?: string;
  /** Key of the event that brought the first email and set the first wake-up. */
  readonly wakeUpSetBy?: string;
};

/**
 * One write to a cart row: the row before (absent when the write created it) and after (absent when it was deleted).
 */
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

/**
 * Everything one cart row, as it stands, counts for in the monthly counters, each in the month it counts in. The
 * same rules the recount (`recountMonth`) applies to the rows afterwards:
 * - seen (a cart event created it) and with an address (an event brought the email that set its first wake-up): in
 *   the month the cart was first seen;
 * - recovered, with its money (order total, else cart total): in the month of the checkout (`isRecovered`);
 * - its hold-back group, and whether it came back: in the month it joined the group.
 */
export function countsOfRow(row: CartRowImage | undefined, rules: Pick<Rules, 'giveUpAfterMinutes'>): CartCounts[] {
  if (!seen(row)) return [];
  const counts: CartCounts[] = [{ at: new Date(row.firstSeenAt), increments: [{ counter: 'cartsSeen' }] }];
  if (row.wakeUpSetBy !== undefined)
    counts.push({ at: new Date(row.firstSeenAt), increments: [{ counter: 'cartsWithAddress' }] });
  const cart = row as CartRow;
  const value = row.orderTotal ?? row.total;
  if (row.checkedOutAt !== undefined && value !== undefined && isRecovered(cart, rules)) {
    counts.push({
      at: new Date(row.checkedOutAt),
      increments: [{ counter: 'recovered', currency: value.currency, minor: value.minor }],
    });
  }
  if (row.holdBack !== undefined) {
    const at = new Date(row.holdBack.at);
    const held = row.holdBack.group === 'held_back';
    counts.push({ at, increments: [{ counter: held ? 'heldBack' : 'holdBackReminded' }] });
    if (cameBack(cart, rules))
      counts.push({ at, increments: [{ counter: held ? 'heldBackReturned' : 'holdBackRemindedReturned' }] });
  }
  return counts;
}

const keyOf = ({ at, increments }: CartCounts) => `${at.toISOString()} ${JSON.stringify(increments)}`;

/**
 * What a write to a cart row adds to the monthly counters: what the row counts for after it, less what it counted for
 * before ({@link countsOfRow}). Over a row's writes in order this adds up to exactly what its last image counts for,
 * whatever order its events arrived in: an older event that moves `firstSeenAt` into the month before moves the cart
 * there, an earlier order that replaces the one kept moves the recovery (and its money) to that order, and a
 * checkout or a send recorded on the row counts a recovery once, whichever of the two lands second.
 *
 * Deletions (TTL) count nothing: the counters are history and keep what a deleted row once counted.
 */
export function cartCountsOf(write: CartRowWrite, rules: Pick<Rules, 'giveUpAfterMinutes'>): CartCounts[] {
  if (write.after === undefined) return [];
  const before = countsOfRow(write.before, rules);
  const after = countsOfRow(write.after, rules);
  const unchanged = new Map<string, number>();
  for (const entry of before) unchanged.set(keyOf(entry), (unchanged.get(keyOf(entry)) ?? 0) + 1);
  const added: CartCounts[] = [];
  for (const entry of after) {
    const left = unchanged.get(keyOf(entry)) ?? 0;
    if (left > 0) unchanged.set(keyOf(entry), left - 1);
    else added.push(entry);
  }
  const taken = before.filter((entry) => {
    const left = unchanged.get(keyOf(entry)) ?? 0;
    if (left === 0) return false;
    unchanged.set(keyOf(entry), left - 1);
    return true;
  });
  return [
    ...taken.map(({ at, increments }) => ({ at, increments: increments.map((i) => ({ ...i, undo: true as const })) })),
    ...added,
  ];
}
