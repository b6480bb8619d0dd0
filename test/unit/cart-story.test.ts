/** The operator's cart story counts what reached the shopper, never a hand-off, as a sent reminder. */
import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import { renderCartStory } from '../../src/domain/operations/cart-story';

const cart = (overrides: Partial<CartRow>): CartRow => ({
  cartId: 'c1',
  source: 'generic',
  email: 'sam@example.com',
  items: [{ title: 'Linen shirt', quantity: 1, unitPrice: 12_000 }],
  total: { minor: 12_000, currency: 'USD' },
  eventKey: '2026-11-02T20:00:00.000Z#e1',
  firstSeenAt: '2026-11-02T20:00:00.000Z',
  lastChangedAt: '2026-11-02T20:00:00.000Z',
  status: 'open',
  remindersSent: 0,
  expiresAt: 1_800_000_000,
  ...overrides,
});

describe('a cart story', () => {
  it('counts reminders SES accepted, and says when a hand-off did not go out', () => {
    const bought = renderCartStory('c1', cart({ status: 'checked_out', remindersSent: 2, firstSentAt: '2026-11-03T13:00:00.000Z' }), [], 'America/New_York');
    expect(bought).toContain('1 of at most 2 reminders sent; 1 more handed to the sender but not sent');

    const both = renderCartStory('c1', cart({ remindersSent: 2, firstSentAt: '2026-11-03T13:00:00.000Z', secondSentAt: '2026-11-04T13:00:00.000Z' }), [], 'America/New_York');
    expect(both).toContain('2 of at most 2 reminders sent.');

    expect(renderCartStory('c1', cart({ remindersSent: 1 }), [], 'America/New_York')).toContain('0 of at most 2 reminders sent; 1 more handed to the sender but not sent');
  });
});
