import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnyFilter } from '../../src/local/event-filter';
import { CART_COUNTER_FILTERS } from '../../src/resources/cart-stream';
import { cartCountsOf, type CartRowImage, type CartRowWrite } from '../../src/domain/reporting/cart-counters';

const FIRST_SEEN = '2026-11-30T23:30:00.000Z';
const created: CartRowImage = { createdBy: 'k1', firstSeenAt: FIRST_SEEN };
const emailed: CartRowImage = { ...created, wakeUpSetBy: 'k2' };

/** The stream record DynamoDB writes for a change from `before` to `after` (absent = no row). */
function streamRecord(before: CartRowImage | undefined, after: CartRowImage | undefined) {
  const image = (row: CartRowImage) => marshall({ cartId: 'c1', status: 'open', ...row }, { removeUndefinedValues: true });
  return {
    eventName: before === undefined ? 'INSERT' : after === undefined ? 'REMOVE' : 'MODIFY',
    dynamodb: { SequenceNumber: '1', ...(before ? { OldImage: image(before) } : {}), ...(after ? { NewImage: image(after) } : {}) },
  };
}

describe('what a cart row write adds to the monthly counters', () => {
  it('counts a cart seen when a cart event creates its row, in the month it was first seen', () => {
    expect(cartCountsOf({ after: created })).toEqual({ at: new Date(FIRST_SEEN), increments: [{ counter: 'cartsSeen' }] });
  });

  it('counts both when the first event already brings the email', () => {
    expect(cartCountsOf({ after: emailed })?.increments).toEqual([{ counter: 'cartsSeen' }, { counter: 'cartsWithAddress' }]);
  });

  it('counts a cart with an address on the later write that sets its first wake-up, still in the first-seen month', () => {
    const counts = cartCountsOf({ before: created, after: emailed });
    expect(counts).toEqual({ at: new Date(FIRST_SEEN), increments: [{ counter: 'cartsWithAddress' }] });
  });

  it('counts nothing for ordinary changes, deletions and rows an order created for a cart never seen', () => {
    expect(cartCountsOf({ before: emailed, after: emailed })).toBeUndefined();
    expect(cartCountsOf({ before: created, after: created })).toBeUndefined();
    expect(cartCountsOf({ before: emailed })).toBeUndefined();
    expect(cartCountsOf({ after: { firstSeenAt: FIRST_SEEN } })).toBeUndefined();
    expect(cartCountsOf({ before: { firstSeenAt: FIRST_SEEN }, after: { firstSeenAt: FIRST_SEEN, wakeUpSetBy: 'k' } })).toBeUndefined();
  });

  // A row's life as the cart store writes it: fields that are set once (if_not_exists) and never removed, then
  // perhaps a TTL deletion. Whatever the order, the counts over its writes are what the final row says.
  const lifeOfARow = fc
    .record({
      createdAt: fc.option(fc.nat(6), { nil: undefined }),
      emailAt: fc.option(fc.nat(6), { nil: undefined }),
      writes: fc.integer({ min: 1, max: 7 }),
      deleted: fc.boolean(),
    })
    .map(({ createdAt, emailAt, writes, deleted }) => {
      const images: CartRowImage[] = [];
      for (let w = 0; w < writes; w++) {
        const isCreated = createdAt !== undefined && w >= createdAt;
        images.push({
          firstSeenAt: FIRST_SEEN,
          ...(isCreated ? { createdBy: 'k1' } : {}),
          ...(isCreated && emailAt !== undefined && w >= emailAt ? { wakeUpSetBy: 'k2' } : {}),
        });
      }
      return { images, deleted };
    });

  it('adds up, over any life of a row, to exactly what a recount of the final row finds', () => {
    fc.assert(
      fc.property(lifeOfARow, ({ images, deleted }) => {
        const writes: CartRowWrite[] = images.map((after, i) => ({ ...(i > 0 ? { before: images[i - 1] } : {}), after }));
        if (deleted) writes.push({ before: images.at(-1) as CartRowImage });
        const counted = writes.flatMap((write) => cartCountsOf(write)?.increments ?? []);
        const last = images.at(-1) as CartRowImage;
        expect(counted.filter((i) => i.counter === 'cartsSeen').length).toBe(last.createdBy ? 1 : 0);
        expect(counted.filter((i) => i.counter === 'cartsWithAddress').length).toBe(last.createdBy && last.wakeUpSetBy ? 1 : 0);
      }),
    );
  });

  it('has event filters that let every counting write through and keep ordinary changes and deletions out', () => {
    fc.assert(
      fc.property(lifeOfARow, ({ images, deleted }) => {
        const writes: Array<[CartRowImage | undefined, CartRowImage | undefined]> = images.map((after, i) => [images[i - 1], after]);
        if (deleted) writes.push([images.at(-1), undefined]);
        for (const [before, after] of writes) {
          const counts = cartCountsOf({ ...(before ? { before } : {}), ...(after ? { after } : {}) });
          if (counts) expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(before, after)), JSON.stringify([before, after])).toBe(true);
        }
      }),
    );
    expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(emailed, emailed))).toBe(false);
    expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(created, created))).toBe(false);
    expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(emailed, undefined))).toBe(false);
    expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(undefined, { firstSeenAt: FIRST_SEEN }))).toBe(false);
  });
});

describe('the local event filter (the subset of Lambda event filtering the stack uses)', () => {
  it('matches listed values, exists true/false, and absent parents as not existing', () => {
    expect(matchesAnyFilter([{ eventName: ['INSERT', 'MODIFY'] }], { eventName: 'MODIFY' })).toBe(true);
    expect(matchesAnyFilter([{ eventName: ['INSERT'] }], { eventName: 'REMOVE' })).toBe(false);
    expect(matchesAnyFilter([{ a: { b: [{ exists: false }] } }], {})).toBe(true);
    expect(matchesAnyFilter([{ a: { b: [{ exists: true }] } }], { a: { b: 'x' } })).toBe(true);
    expect(matchesAnyFilter([{ a: { b: [{ exists: true }] } }], { a: {} })).toBe(false);
    expect(matchesAnyFilter([{ eventName: ['INSERT'] }, { eventName: ['REMOVE'] }], { eventName: 'REMOVE' })).toBe(true);
  });

  it('refuses a rule it does not implement instead of guessing', () => {
    expect(() => matchesAnyFilter([{ n: [{ numeric: ['>', 1] }] }], { n: 2 })).toThrow(/unsupported filter rule/);
  });
});
