import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import { isHeldBack } from '../../src/domain/cart/hold-back';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { attributionCounts, cameBack, isRecovered } from '../../src/domain/reporting/attribution';

const T = Date.parse('2026-11-02T15:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (plusMs: number) => new Date(T + plusMs).toISOString();

function cart(overrides: Partial<CartRow> = {}): CartRow {
  return {
    cartId: 'cart-1',
    source: 'generic',
    email: 'sam@example.com',
    items: [],
    total: { minor: 120_00, currency: 'USD' },
    status: 'open',
    eventKey: `${iso(0)}#e1`,
    firstSeenAt: iso(0),
    lastChangedAt: iso(0),
    remindersSent: 0,
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

describe('recovered: bought after a reminder that reached the shopper', () => {
  // Handed off twice by the waiter, but only the first reminder was accepted by SES.
  const reminded = cart({ remindersSent: 2, lastReminderAt: iso(21 * HOUR), firstSentAt: iso(HOUR) });
  it.each([
    [
      'checked out 2 days after the sent reminder',
      { ...reminded, status: 'checked_out', checkedOutAt: iso(HOUR + 2 * DAY) },
      true,
    ],
    [
      'checked out exactly at the window end',
      { ...reminded, status: 'checked_out', checkedOutAt: iso(HOUR + 7 * DAY) },
      true,
    ],
    [
      'checked out 8 days after the only sent reminder (the skipped one does not extend it)',
      { ...reminded, status: 'checked_out', checkedOutAt: iso(HOUR + 8 * DAY) },
      false,
    ],
    [
      'checked out before the reminder was accepted',
      { ...reminded, status: 'checked_out', checkedOutAt: iso(HOUR - 1) },
      false,
    ],
    ['checked out without a known time', { ...reminded, status: 'checked_out' }, false],
    ['still open after a reminder', reminded, false],
    ['stopped after a reminder', { ...reminded, status: 'stopped', checkedOutAt: iso(2 * HOUR) }, false],
    // The cases the old rule (hand-offs) counted: the waiter handed off, nothing reached the shopper.
    [
      'handed off, skipped (paused, do not disturb, no consent), then bought',
      cart({ remindersSent: 1, lastReminderAt: iso(HOUR), status: 'checked_out', checkedOutAt: iso(2 * HOUR) }),
      false,
    ],
    [
      'held for quiet hours and bought overnight',
      cart({ remindersSent: 1, lastReminderAt: iso(7 * HOUR), status: 'checked_out', checkedOutAt: iso(10 * HOUR) }),
      false,
    ],
    [
      'second reminder sent, checked out 7 days after it',
      cart({ firstSentAt: iso(HOUR), secondSentAt: iso(DAY), status: 'checked_out', checkedOutAt: iso(8 * DAY) }),
      true,
    ],
  ] as const)('%s: recovered = %s', (_label, row, expected) => {
    expect(isRecovered(row as CartRow, DEFAULT_RULES)).toBe(expected);
  });
});

describe('counted once, by whichever write lands second', () => {
  const sent = cart({ firstSentAt: iso(HOUR), total: { minor: 40_00, currency: 'EUR' } });
  const bought = {
    ...sent,
    status: 'checked_out' as const,
    checkedOutAt: iso(3 * HOUR),
    orderTotal: { minor: 42_50, currency: 'EUR' },
  };

  it('a checkout after the recorded send counts the recovery and the order total, in the checkout month', () => {
    expect(attributionCounts(sent, bought, DEFAULT_RULES)).toEqual([
      { at: new Date(iso(3 * HOUR)), increments: [{ counter: 'recovered', currency: 'EUR', minor: 42_50 }] },
    ]);
  });

  it('a send recorded after the checkout counts it then, and a repeat of either counts nothing', () => {
    const boughtFirst = { ...bought, firstSentAt: undefined };
    // SES accepted the reminder after the shopper had bought (the checkout raced the send): not a recovery.
    expect(attributionCounts(boughtFirst, { ...boughtFirst, firstSentAt: iso(4 * HOUR) }, DEFAULT_RULES)).toEqual([]);
    const early = { ...boughtFirst, checkedOutAt: iso(5 * HOUR) };
    expect(attributionCounts(early, { ...early, firstSentAt: iso(HOUR) }, DEFAULT_RULES)).toHaveLength(1);
    expect(attributionCounts(bought, bought, DEFAULT_RULES)).toEqual([]);
  });

  it(
    'hold-back groups: joining counts once, ' + 'and coming back within the window counts once, in the joining month',
    () => {
      const held = cart({ holdBack: { group: 'held_back', at: iso(HOUR) } });
      expect(attributionCounts(cart(), held, DEFAULT_RULES)).toEqual([
        { at: new Date(iso(HOUR)), increments: [{ counter: 'heldBack' }] },
      ]);
      const back = { ...held, status: 'checked_out' as const, checkedOutAt: iso(2 * DAY) };
      expect(cameBack(back, DEFAULT_RULES)).toBe(true);
      expect(isRecovered(back, DEFAULT_RULES)).toBe(false);
      expect(attributionCounts(held, back, DEFAULT_RULES)).toEqual([
        { at: new Date(iso(HOUR)), increments: [{ counter: 'heldBackReturned' }] },
      ]);
      expect(cameBack({ ...back, checkedOutAt: iso(HOUR + 7 * DAY + 1) }, DEFAULT_RULES)).toBe(false);
    },
  );
});

describe('hold-back choice', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `shopify-${i.toString(36)}-cart`);

  it('is deterministic by cart id and holds back the stated share', () => {
    const held = ids.filter((id) => isHeldBack(id, 10));
    expect(held.length / ids.length).toBeGreaterThan(0.09);
    expect(held.length / ids.length).toBeLessThan(0.11);
    expect(ids.filter((id) => isHeldBack(id, 10))).toEqual(held);
    // A bigger share keeps every cart the smaller one held back (buckets are nested).
    expect(held.every((id) => isHeldBack(id, 20))).toBe(true);
  });

  it('holds back nothing when off', () => {
    expect(ids.some((id) => isHeldBack(id, 0) || isHeldBack(id, undefined))).toBe(false);
  });
});
