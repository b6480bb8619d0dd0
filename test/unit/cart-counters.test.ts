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
  const image = (row: CartRowImage) =>
    marshall({ cartId: 'c1', status: 'open', ...row }, { removeUndefinedValues: true });
  return {
    eventName: before === undefined ? 'INSERT' : after === undefined ? 'REMOVE' : 'MODIFY',
    dynamodb: {
      SequenceNumber: '1',
      ...(before ? { OldImage: image(before) } : {}),
      ...(after ? { NewImage: image(after) } : {}),
    },
  };
}

const RULES = { giveUpAfterMinutes: 7 * 24 * 60 };
const counts = (write: CartRowWrite) => cartCountsOf(write, RULES);
const flat = (write: CartRowWrite) =>
  counts(write).flatMap(({ at, increments }) => increments.map((i) => ({ at: at.toISOString(), ...i })));

/** Sums increments into counter totals per month key (UTC month is enough here), money included. */
function totals(entries: ReadonlyArray<{ at: string } & Record<string, unknown>>): Record<string, number> {
  const sums: Record<string, number> = {};
  const bump = (key: string, by: number) => {
    sums[key] = (sums[key] ?? 0) + by;
    if (sums[key] === 0) delete sums[key];
  };
  for (const entry of entries) {
    const sign = entry.undo ? -1 : 1;
    const month = entry.at.slice(0, 7);
    bump(`${month} ${String(entry.counter)}`, sign);
    if (entry.counter === 'recovered') bump(`${month} wonBack_${String(entry.currency)}`, sign * Number(entry.minor));
  }
  return sums;
}

describe('what a cart row write adds to the monthly counters', () => {
  it('counts a cart seen when a cart event creates its row, in the month it was first seen', () => {
    expect(counts({ after: created })).toEqual([{ at: new Date(FIRST_SEEN), increments: [{ counter: 'cartsSeen' }] }]);
  });

  it('counts seen and with-address together when the first event already carries the email', () => {
    expect(flat({ after: emailed }).map((i) => i.counter)).toEqual(['cartsSeen', 'cartsWithAddress']);
  });

  it('counts with-address when a later event brings the email, in the month the cart was first seen', () => {
    expect(counts({ before: created, after: emailed })).toEqual([
      { at: new Date(FIRST_SEEN), increments: [{ counter: 'cartsWithAddress' }] },
    ]);
  });

  it('counts nothing for writes that change nothing counted, deletions, and rows no cart event created', () => {
    expect(counts({ before: emailed, after: emailed })).toEqual([]);
    expect(counts({ before: created, after: created })).toEqual([]);
    expect(counts({ before: emailed })).toEqual([]);
    expect(counts({ after: { firstSeenAt: FIRST_SEEN } })).toEqual([]);
    expect(
      counts({ before: { firstSeenAt: FIRST_SEEN }, after: { firstSeenAt: FIRST_SEEN, wakeUpSetBy: 'k' } }),
    ).toEqual([]);
  });

  it('moves a counted cart into the month before when an older event moves firstSeenAt there', () => {
    const earlier = { ...emailed, firstSeenAt: '2026-10-31T12:00:00.000Z' };
    expect(totals(flat({ before: emailed, after: earlier }))).toEqual({
      '2026-11 cartsSeen': -1,
      '2026-11 cartsWithAddress': -1,
      '2026-10 cartsSeen': 1,
      '2026-10 cartsWithAddress': 1,
    });
  });

  it(
    'counts a recovery by the write that makes it true (checkout or send, ' +
      'whichever lands second), and moves it with an earlier order',
    () => {
      const sent = { ...emailed, firstSentAt: '2026-12-01T10:00:00.000Z', total: { minor: 4500, currency: 'USD' } };
      const bought = {
        ...sent,
        status: 'checked_out' as const,
        checkedOutAt: '2026-12-02T10:00:00.000Z',
        orderTotal: { minor: 5000, currency: 'USD' },
      };
      expect(totals(flat({ before: sent, after: bought }))).toEqual({
        '2026-12 recovered': 1,
        '2026-12 wonBack_USD': 5000,
      });
      // The send recorded after the checkout.
      const boughtFirst = { ...bought, firstSentAt: undefined };
      expect(totals(flat({ before: boughtFirst, after: bought }))).toEqual({
        '2026-12 recovered': 1,
        '2026-12 wonBack_USD': 5000,
      });
      // An earlier order (still after the reminder) arrives later and is the one kept: the money is its own.
      const earlierOrder = {
        ...bought,
        checkedOutAt: '2026-12-01T11:00:00.000Z',
        orderTotal: { minor: 3000, currency: 'USD' },
      };
      expect(totals(flat({ before: bought, after: earlierOrder }))).toEqual({ '2026-12 wonBack_USD': -2000 });
      // An earlier order from before the reminder: not recovered after all.
      const beforeReminder = { ...bought, checkedOutAt: '2026-11-30T23:59:00.000Z' };
      expect(totals(flat({ before: bought, after: beforeReminder }))).toEqual({
        '2026-12 recovered': -1,
        '2026-12 wonBack_USD': -5000,
      });
    },
  );

  // A row's life as the cart store writes it: fields set (or moved) by its writes, then perhaps a TTL deletion.
  // Whatever the order, the counts over its writes are what the final row says.
  const lifeOfARow = fc
    .record({
      createdAt: fc.option(fc.nat(6), { nil: undefined }),
      emailAt: fc.option(fc.nat(6), { nil: undefined }),
      firstSeenDays: fc.array(fc.integer({ min: -40, max: 0 }), { minLength: 7, maxLength: 7 }),
      sentAt: fc.option(fc.nat(6), { nil: undefined }),
      boughtAt: fc.option(fc.nat(6), { nil: undefined }),
      checkoutDays: fc.array(fc.integer({ min: -3, max: 10 }), { minLength: 7, maxLength: 7 }),
      orderMinor: fc.array(fc.integer({ min: 1, max: 9_999 }), { minLength: 7, maxLength: 7 }),
      holdBackAt: fc.option(fc.nat(6), { nil: undefined }),
      writes: fc.integer({ min: 1, max: 7 }),
      deleted: fc.boolean(),
    })
    .map((life) => {
      const day = (n: number) => new Date(Date.parse('2026-11-15T12:00:00.000Z') + n * 86_400_000).toISOString();
      const images: CartRowImage[] = [];
      let firstSeen = 0;
      let checkout: number | undefined;
      for (let w = 0; w < life.writes; w++) {
        const isCreated = life.createdAt !== undefined && w >= life.createdAt;
        // firstSeenAt only ever moves earlier; the kept order only ever moves to an earlier one.
        firstSeen = Math.min(firstSeen, life.firstSeenDays[w] ?? 0);
        if (life.boughtAt !== undefined && w >= life.boughtAt)
          checkout = Math.min(checkout ?? Infinity, life.checkoutDays[w] ?? 0);
        const kept = checkout === undefined ? undefined : life.checkoutDays.indexOf(checkout);
        images.push({
          firstSeenAt: day(firstSeen),
          total: { minor: 4500, currency: 'USD' },
          ...(isCreated ? { createdBy: 'k1' } : {}),
          ...(isCreated && life.emailAt !== undefined && w >= life.emailAt ? { wakeUpSetBy: 'k2' } : {}),
          ...(isCreated && life.sentAt !== undefined && w >= life.sentAt ? { firstSentAt: day(0) } : {}),
          ...(isCreated && life.holdBackAt !== undefined && w >= life.holdBackAt
            ? { holdBack: { group: 'reminded' as const, at: day(0) } }
            : {}),
          ...(checkout !== undefined
            ? {
                status: 'checked_out' as const,
                checkedOutAt: day(checkout),
                orderTotal: { minor: life.orderMinor[kept ?? 0] ?? 1, currency: 'USD' },
              }
            : { status: 'open' as const }),
        });
      }
      return { images, deleted: life.deleted };
    });

  it('adds up, over any life of a row, to exactly what a recount of the final row finds', () => {
    fc.assert(
      fc.property(lifeOfARow, ({ images, deleted }) => {
        const writes: CartRowWrite[] = images.map((after, i) => ({
          ...(i > 0 ? { before: images[i - 1] } : {}),
          after,
        }));
        if (deleted) writes.push({ before: images.at(-1) as CartRowImage });
        const counted = totals(writes.flatMap(flat));
        const recount = totals(
          counts({ after: images.at(-1) as CartRowImage }).flatMap(({ at, increments }) =>
            increments.map((i) => ({ at: at.toISOString(), ...i })),
          ),
        );
        expect(counted).toEqual(recount);
      }),
    );
  });

  it(
    'has event filters that let every counting write through ' +
      'and keep TTL deletions and rows no cart event made out',
    () => {
      fc.assert(
        fc.property(lifeOfARow, ({ images, deleted }) => {
          const writes: Array<[CartRowImage | undefined, CartRowImage | undefined]> = images.map((after, i) => [
            images[i - 1],
            after,
          ]);
          if (deleted) writes.push([images.at(-1), undefined]);
          for (const [before, after] of writes) {
            const counted = counts({ ...(before ? { before } : {}), ...(after ? { after } : {}) });
            if (counted.length > 0)
              expect(
                matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(before, after)),
                JSON.stringify([before, after]),
              ).toBe(true);
          }
        }),
      );
      expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(emailed, undefined))).toBe(false);
      expect(matchesAnyFilter(CART_COUNTER_FILTERS, streamRecord(undefined, { firstSeenAt: FIRST_SEEN }))).toBe(false);
    },
  );
});

describe('the local event filter (the subset of Lambda event filtering the stack uses)', () => {
  it('matches listed values, exists true/false, and absent parents as not existing', () => {
    expect(matchesAnyFilter([{ eventName: ['INSERT', 'MODIFY'] }], { eventName: 'MODIFY' })).toBe(true);
    expect(matchesAnyFilter([{ eventName: ['INSERT'] }], { eventName: 'REMOVE' })).toBe(false);
    expect(matchesAnyFilter([{ a: { b: [{ exists: false }] } }], {})).toBe(true);
    expect(matchesAnyFilter([{ a: { b: [{ exists: true }] } }], { a: { b: 'x' } })).toBe(true);
    expect(matchesAnyFilter([{ a: { b: [{ exists: true }] } }], { a: {} })).toBe(false);
    expect(matchesAnyFilter([{ eventName: ['INSERT'] }, { eventName: ['REMOVE'] }], { eventName: 'REMOVE' })).toBe(
      true,
    );
  });

  it('refuses a rule it does not implement instead of guessing', () => {
    expect(() => matchesAnyFilter([{ n: [{ numeric: ['>', 1] }] }], { n: 2 })).toThrow(/unsupported filter rule/);
  });
});
