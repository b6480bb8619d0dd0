/** The operator's cart story counts what reached the shopper, never a hand-off, as a sent reminder. */
import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import { renderCartStory } from '../../src/domain/operations/cart-story';
import { seedCartLines, seedCartTotal } from '../../src/local/seed-cart';

const cart = (overrides: Partial<CartRow>): CartRow => ({
  cartId: 'c1',
  source: 'generic',
  email: 'sam@example.com',
  items: seedCartLines(),
  total: seedCartTotal(),
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
    const bought = renderCartStory(
      'c1',
      cart({ status: 'checked_out', remindersSent: 2, firstSentAt: '2026-11-03T13:00:00.000Z' }),
      [],
      'America/New_York',
    );
    expect(bought).toContain('1 of at most 2 reminders sent; 1 more handed to the sender but not sent');

    const both = renderCartStory(
      'c1',
      cart({ remindersSent: 2, firstSentAt: '2026-11-03T13:00:00.000Z', secondSentAt: '2026-11-04T13:00:00.000Z' }),
      [],
      'America/New_York',
    );
    expect(both).toContain('2 of at most 2 reminders sent.');

    expect(renderCartStory('c1', cart({ remindersSent: 1 }), [], 'America/New_York')).toContain(
      '0 of at most 2 reminders sent; 1 more handed to the sender but not sent',
    );
  });
});

describe('a cart story tells what became of each hand-off (issue 20)', () => {
  const zone = 'America/New_York';
  it('a skipped first reminder: not "still being chased", and no follow-up', () => {
    const row = cart({
      remindersSent: 1,
      lastReminderAt: '2026-11-02T21:00:00.000Z',
      firstOutcome: {
        outcome: 'skipped',
        at: '2026-11-02T21:00:00.000Z',
        handOffAt: '2026-11-02T21:00:00.000Z',
        reason: 'do_not_disturb',
      },
    });
    const story = renderCartStory('c1', row, [], zone);
    expect(story).not.toContain('still being chased');
    expect(story).toContain(
      'no longer chased: its first reminder was not sent (do not disturb), so it gets no follow-up',
    );
    expect(story).toContain('0 of at most 2 reminders sent; the first was not sent (do not disturb).');
  });

  it('a test send, a hand-off given back, and one still held', () => {
    const tested = cart({
      remindersSent: 1,
      lastReminderAt: '2026-11-02T21:00:00.000Z',
      firstOutcome: {
        outcome: 'test_sent',
        at: '2026-11-02T21:00:01.000Z',
        handOffAt: '2026-11-02T21:00:00.000Z',
        reason: 'test',
      },
    });
    expect(renderCartStory('c1', tested, [], zone)).toContain(
      '0 of at most 2 reminders sent; the first went to the owner in test mode.',
    );
    const returned = cart({
      remindersSent: 1,
      lastReminderAt: '2026-11-02T21:00:00.000Z',
      firstOutcome: {
        outcome: 'returned',
        at: '2026-11-03T13:01:00.000Z',
        handOffAt: '2026-11-02T21:00:00.000Z',
        reason: 'still_shopping',
      },
    });
    expect(renderCartStory('c1', returned, [], zone)).toContain(
      'the first was given back unsent: the shopper changed the cart after it was handed on',
    );
    expect(renderCartStory('c1', returned, [], zone)).toContain('still being chased');
    expect(
      renderCartStory('c1', cart({ remindersSent: 1, lastReminderAt: '2026-11-02T21:00:00.000Z' }), [], zone),
    ).toContain('1 more handed to the sender but not sent');
  });
});
