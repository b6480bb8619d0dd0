import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartRow, CartSnapshot } from '../../src/domain/cart/cart';
import { eventKey } from '../../src/domain/cart/cart';
import { EMAILS_SEEN_CAP } from '../../src/domain/cart/cart';
import {
  type ChangeFacts,
  type CheckoutFacts,
  mergeChange,
  mergeCheckout,
  withEmail,
} from '../../src/domain/cart/merge';

const T = Date.parse('2026-11-02T20:00:00Z');
const at = (minute: number) => new Date(T + minute * 60_000);

type Event = { kind: 'change'; facts: ChangeFacts } | { kind: 'order'; facts: CheckoutFacts };

function apply(row: CartRow | undefined, event: Event): CartRow {
  return event.kind === 'change' ? mergeChange(row, event.facts) : mergeCheckout(row, event.facts);
}

const fold = (events: readonly Event[]) => events.reduce<CartRow | undefined>(apply, undefined);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Events of one cart with distinct keys: changes with optional fields present or absent, and up to two orders. */
const eventsArb: fc.Arbitrary<Event[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 8 })
  .chain((minutes) =>
    fc.tuple(
      ...minutes.map((minute, index) =>
        fc
          .record({
            isOrder: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
            email: maybe(fc.constantFrom('sam@example.com', 'kim@example.com')),
            firstName: maybe(fc.constantFrom('Sam', 'Samuel')),
            returnUrl: maybe(fc.constantFrom('https://shop.example.com/a', 'https://shop.example.com/b')),
            timeZone: maybe(fc.constantFrom('America/Chicago', 'Europe/Paris')),
            marketingConsent: maybe(fc.boolean()),
            checkoutToken: maybe(fc.constantFrom('tok-1', 'tok-2')),
            savedLink: maybe(fc.boolean()),
            total: fc.integer({ min: 0, max: 50_000 }),
            expiresAt: fc.integer({ min: 1_000, max: 1_010 }),
          })
          .map(({ isOrder, total, expiresAt, ...fields }): Event => {
            const key = eventKey(at(minute), `e${index}`);
            if (isOrder) {
              return {
                kind: 'order',
                facts: {
                  cartId: 'c1',
                  source: 'generic',
                  eventKey: key,
                  occurredAt: at(minute),
                  orderTotal: { minor: total, currency: 'USD' },
                  ...(fields.email ? { orderEmail: fields.email } : {}),
                  reason: 'order placed',
                  expiresAt,
                  storeCurrency: 'USD',
                },
              };
            }
            const snapshot: CartSnapshot = {
              cartId: 'c1',
              source: 'generic',
              items: [{ title: `Thing ${index}`, quantity: 1, unitPrice: total }],
              total: { minor: total, currency: 'USD' },
              ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
            };
            return { kind: 'change', facts: { snapshot, eventKey: key, occurredAt: at(minute), expiresAt } };
          }),
      ),
    ),
  );

/** Each event delivered 1-3 times, in any order. */
const deliveriesArb = eventsArb.chain((events) =>
  fc
    .tuple(...events.map((event) => fc.integer({ min: 1, max: 3 }).map((times) => Array<Event>(times).fill(event))))
    .chain((copies) => fc.shuffledSubarray(copies.flat(), { minLength: copies.flat().length }))
    .map((shuffled) => ({ events, shuffled })),
);

const byTime = (events: readonly Event[]) => [...events].sort((a, b) => (a.facts.eventKey < b.facts.eventKey ? -1 : 1));

describe('the cart merge', () => {
  it('gives the same row whatever the order and however often events arrive (1,000 runs)', () => {
    fc.assert(
      fc.property(deliveriesArb, ({ events, shuffled }) => {
        expect(fold(shuffled)).toEqual(fold(byTime(events)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is commutative and idempotent event by event, whatever row it starts from', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), fc.nat(), (events, i, j) => {
        const start = fold(events.slice(2));
        const a = events[i % events.length]!;
        const b = events[j % events.length]!;
        expect(apply(apply(start, a), b)).toEqual(apply(apply(start, b), a));
        expect(apply(apply(start, a), a)).toEqual(apply(start, a));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is associative: folding two halves separately and then together is the whole fold', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), (events, cut) => {
        const split = cut % (events.length + 1);
        const first = events.slice(0, split);
        const rest = events.slice(split);
        // Applying the second half's events onto the first half's row equals applying them all from scratch.
        expect(rest.reduce(apply, fold(first))).toEqual(fold(byTime(events)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps each optional field from the newest event that carries it', () => {
    const change = (minute: number, id: string, snapshot: Partial<CartSnapshot>): Event => ({
      kind: 'change',
      facts: {
        snapshot: {
          cartId: 'c1',
          source: 'generic',
          items: [],
          total: { minor: minute, currency: 'USD' },
          ...snapshot,
        },
        eventKey: eventKey(at(minute), id),
        occurredAt: at(minute),
        expiresAt: 1,
      },
    });
    const row = fold([
      change(10, 'newest', { firstName: 'Sam' }),
      change(5, 'middle', { email: 'sam@example.com', firstName: 'Samuel', savedLink: true }),
      change(1, 'oldest', { email: 'old@example.com', returnUrl: 'https://shop.example.com/r' }),
    ]);
    expect(row).toMatchObject({
      total: { minor: 10, currency: 'USD' },
      firstName: 'Sam',
      email: 'sam@example.com',
      returnUrl: 'https://shop.example.com/r',
      savedLink: true,
      firstSeenAt: at(1).toISOString(),
      lastChangedAt: at(10).toISOString(),
      createdBy: eventKey(at(1), 'oldest'),
      wakeUpSetBy: eventKey(at(1), 'oldest'),
      wakeSeq: 1,
      status: 'open',
    });
  });

  it('keeps a checkout final: a change never reopens the cart, and an order first gives the same row as last', () => {
    const change: Event = {
      kind: 'change',
      facts: {
        snapshot: {
          cartId: 'c1',
          source: 'generic',
          email: 'sam@example.com',
          items: [],
          total: { minor: 500, currency: 'USD' },
        },
        eventKey: eventKey(at(0), 'c'),
        occurredAt: at(0),
        expiresAt: 1,
      },
    };
    const order: Event = {
      kind: 'order',
      facts: {
        cartId: 'c1',
        source: 'generic',
        eventKey: eventKey(at(5), 'o'),
        occurredAt: at(5),
        reason: 'order placed',
        expiresAt: 1,
        storeCurrency: 'USD',
      },
    };
    const orderFirst = fold([order, change]);
    expect(orderFirst).toEqual(fold([change, order]));
    expect(orderFirst).toMatchObject({
      status: 'checked_out',
      total: { minor: 500, currency: 'USD' },
      email: 'sam@example.com',
    });
  });

  it('keeps the same bounded set of addresses whatever order they arrive in (the cap keeps the smallest)', () => {
    const pool = Array.from({ length: 20 }, (_, i) => `shopper${String(i).padStart(2, '0')}@example.com`);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...pool), { minLength: 1, maxLength: 30 })
          .chain((emails) =>
            fc.tuple(
              fc.constant(emails),
              fc.shuffledSubarray(emails, { minLength: emails.length, maxLength: emails.length }),
            ),
          ),
        ([emails, shuffled]) => {
          const inOrder = emails.reduce<ReadonlySet<string> | undefined>(withEmail, undefined)!;
          const outOfOrder = shuffled.reduce<ReadonlySet<string> | undefined>(withEmail, undefined)!;
          const expected = [...new Set(emails)].sort().slice(0, EMAILS_SEEN_CAP);
          expect([...inOrder].sort()).toEqual(expected);
          expect([...outOfOrder].sort()).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
