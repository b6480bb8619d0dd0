import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { newcombeDifference, wilson } from '../../src/domain/reporting/intervals';
import {
  composeSummary,
  EMPTY_COUNTERS,
  monthOf,
  previousMonth,
  recoveredRule,
} from '../../src/domain/reporting/summary';

const rules = { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, name: 'Linen & Larch <Co>' } };

describe('monthly summary', () => {
  it('says how many reminders reached a shopper twice, only in a month that had one', () => {
    expect(composeSummary({ month: '2026-11', rules, counters: NOVEMBER }).text).not.toContain(
      'reached a shopper twice',
    );
    const { text, html } = composeSummary({ month: '2026-11', rules, counters: { ...NOVEMBER, secondCopies: 1 } });
    expect(text).toMatch(/Reminders that reached a shopper twice \(see your operator\)\s+1/);
    expect(html).toContain('Reminders that reached a shopper twice');
  });

  it('puts an instant in the store month, not the UTC one', () => {
    expect(monthOf(new Date('2026-12-01T03:30:00Z'), 'America/New_York')).toBe('2026-11');
    expect(monthOf(new Date('2026-12-01T05:30:00Z'), 'America/New_York')).toBe('2026-12');
    expect(previousMonth(new Date('2026-12-01T13:00:00Z'), 'America/New_York')).toBe('2026-11');
    expect(previousMonth(new Date('2027-01-01T13:00:00Z'), 'America/New_York')).toBe('2026-12');
  });

  const NOVEMBER = {
    ...EMPTY_COUNTERS,
    cartsSeen: 3000,
    cartsWithAddress: 1350,
    leftBehind: 1100,
    remindersFirst: 980,
    remindersSecond: 610,
    recovered: 98,
    wonBack: { USD: 12000, EUR: 4550 },
    skipped: { do_not_disturb: 88, paused: 0, held_back: 3 },
    deferredQuietHours: 140,
  };

  it(
    'writes honest labels: carts seen and left behind defined, ' +
      'reminders, skips by reason, rate, money per currency, the rule',
    () => {
      const { subject, paragraph, text, html } = composeSummary({ month: '2026-11', rules, counters: NOVEMBER });
      expect(subject).toBe('Your cart reminders in November 2026: 98 carts recovered');
      expect(paragraph).toBe(
        'In November 2026, 3,000 carts came in at Linen & Larch <Co> and 1,100 were left behind ' +
          '(still not bought when the first reminder was due). ' +
          'We sent 1,590 reminders, and 98 carts were bought within 7 days of a reminder the shopper got, ' +
          'bringing in $120.00 and €45.50.',
      );
      expect(text).toMatch(/Carts seen \(bought or not\)\s+3,000/);
      expect(text).toMatch(/Carts left behind \(unbought when the first reminder was due\)\s+1,100/);
      expect(text).toMatch(/Reminders sent\s+1,590\n {2}first reminders\s+980\n {2}second reminders\s+610/);
      expect(text).toMatch(/Recovery rate \(recovered ÷ first reminders\)\s+10\.0%/);
      expect(text).toMatch(/Money won back \(USD\)\s+\$120\.00/);
      expect(text).toMatch(/Money won back \(EUR\)\s+€45\.50/);
      expect(text).toMatch(/Times a reminder waited for quiet hours to end\s+140/);
      expect(text).toMatch(/Reminders not sent\s+91/);
      expect(text).toMatch(/ {2}reminded recently \(do not disturb\)\s+88/);
      expect(text).toMatch(/ {2}held back for your comparison\s+3/);
      expect(text).not.toContain('reminders paused');
      expect(text).toContain(recoveredRule(rules));
      expect(recoveredRule(rules)).toBe(
        'A cart counts as recovered when it is checked out within 7 days after a reminder the email service ' +
          'accepted; a reminder that was skipped, held for quiet hours or paused and never sent counts for nothing.',
      );
      expect(html).toContain('Linen &amp; Larch &lt;Co&gt;');
      expect(html).not.toContain('<Co>');
      // What a skipped first reminder means, in every summary (issue 20).
      expect(text).toContain(
        'A cart whose first reminder was not sent gets no second one: ' +
          'a follow-up is never the only email a shopper gets; it is given up instead.',
      );
    },
  );

  it('says when a morning did not fit the email limits, and only then', () => {
    expect(composeSummary({ month: '2026-11', rules, counters: NOVEMBER }).text).not.toContain('Reminders sent late');
    const { text } = composeSummary({ month: '2026-11', rules, counters: { ...NOVEMBER, releaseLate: 37 } });
    expect(text).toMatch(/Reminders sent late: the morning did not fit the email limits\s+37/);
  });

  it('sets each figure against the month before', () => {
    const october = {
      ...EMPTY_COUNTERS,
      cartsSeen: 2500,
      leftBehind: 900,
      remindersFirst: 800,
      recovered: 60,
      wonBack: { USD: 9000 },
    };
    const { text, html } = composeSummary({ month: '2026-11', rules, counters: NOVEMBER, previous: october });
    expect(text).toMatch(/Carts seen \(bought or not\)\s+3,000\s+\(October: 2,500\)/);
    expect(text).toMatch(/Recovery rate \(recovered ÷ first reminders\)\s+10\.0%\s+\(October: 7\.5%\)/);
    expect(text).toMatch(/Money won back \(EUR\)\s+€45\.50\s+\(October: €0\.00\)/);
    expect(html).toMatch(/>November<\/td><td[^>]*>October<\/td>/);
  });

  it('says plainly when the hold-back month is too small to tell', () => {
    const { text } = composeSummary({
      month: '2026-11',
      rules: { ...rules, holdBackPercent: 10 },
      counters: { ...NOVEMBER, heldBack: 12, heldBackReturned: 1, holdBackReminded: 110, holdBackRemindedReturned: 14 },
    });
    expect(text).toContain(
      '12 carts were held back (no reminder) this month: too few to tell what the reminders added.',
    );
    expect(text).not.toMatch(/95% range/);
  });

  it('gives both rates, the difference and their 95% ranges, and says when the range includes zero', () => {
    const held = { heldBack: 300, heldBackReturned: 15, holdBackReminded: 2700, holdBackRemindedReturned: 324 };
    const { text } = composeSummary({
      month: '2026-11',
      rules: { ...rules, holdBackPercent: 10 },
      counters: { ...NOVEMBER, ...held },
    });
    const natural = wilson(15, 300);
    const added = newcombeDifference(324, 2700, 15, 300);
    expect(text).toContain(
      'Of 300 carts held back (no reminder), 15 came back and bought on their own within 7 days: 5.0% ' +
        `(95% range ${(natural.low * 100).toFixed(1)}% to ${(natural.high * 100).toFixed(1)}%).`,
    );
    expect(text).toContain('Of 2,700 carts reminded, 324 bought within 7 days of the first reminder: 12.0%');
    expect(text).toContain(
      'What the reminders added: +7.0 points ' +
        `(95% range +${(added.low * 100).toFixed(1)} points to +${(added.high * 100).toFixed(1)} points).`,
    );
    expect(text).not.toContain('includes zero');
    expect(text).toContain(
      "Wilson's score interval for each rate, Newcombe's hybrid score interval for the difference, both at 95%.",
    );
    const unclear = composeSummary({
      month: '2026-11',
      rules,
      counters: { ...NOVEMBER, heldBack: 40, heldBackReturned: 4, holdBackReminded: 360, holdBackRemindedReturned: 43 },
    });
    expect(unclear.text).toContain(
      'The range includes zero: this month cannot tell whether the reminders added anything.',
    );
  });

  it('says plainly when nothing happened', () => {
    const { paragraph, text } = composeSummary({ month: '2026-02', rules, counters: EMPTY_COUNTERS });
    expect(paragraph).toBe('No carts came in during February 2026, so there was nobody to remind.');
    expect(text).toMatch(/Money won back\s+\$0\.00/);
  });
});

describe('the recount of carts left behind (issue 20)', () => {
  it('counts a cart once when its first reminder was given back and handed off again', async () => {
    const { recountMonth } = await import('../../src/use-cases/monthly-summary');
    const entry = (cartId: string, at: string) => ({
      cartId,
      at: new Date(at),
      actor: 'waiter',
      action: 'first_reminder',
    });
    const counts = recountMonth(
      '2026-11',
      {
        carts: [],
        sends: [],
        activity: [
          entry('a', '2026-11-03T05:00:00Z'),
          entry('a', '2026-11-03T13:40:00Z'),
          entry('b', '2026-11-04T15:00:00Z'),
        ],
        optOuts: [],
      },
      DEFAULT_RULES,
    );
    expect(counts.leftBehind).toBe(2);
  });
});
