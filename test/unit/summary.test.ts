import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { composeSummary, EMPTY_COUNTERS, monthOf, previousMonth, recoveredRule } from '../../src/domain/reporting/summary';

const rules = { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, name: 'Linen & Larch <Co>' } };

describe('monthly summary', () => {
  it('puts an instant in the store month, not the UTC one', () => {
    expect(monthOf(new Date('2026-12-01T03:30:00Z'), 'America/New_York')).toBe('2026-11');
    expect(monthOf(new Date('2026-12-01T05:30:00Z'), 'America/New_York')).toBe('2026-12');
    expect(previousMonth(new Date('2026-12-01T13:00:00Z'), 'America/New_York')).toBe('2026-11');
    expect(previousMonth(new Date('2027-01-01T13:00:00Z'), 'America/New_York')).toBe('2026-12');
  });

  it('writes the numbers, the money in the store currency, the skip reasons and the one recovery rule', () => {
    const { subject, paragraph, text, html } = composeSummary({
      month: '2026-11',
      rules,
      counters: {
        ...EMPTY_COUNTERS,
        cartsSeen: 3000,
        cartsWithAddress: 1350,
        remindersFirst: 980,
        remindersSecond: 610,
        recovered: 1,
        wonBack: { USD: 12000 },
        skipped: { do_not_disturb: 88, paused: 0 },
      },
    });
    expect(subject).toBe('Your cart reminders in November 2026: 1 cart recovered');
    expect(paragraph).toBe(
      'In November 2026, 3,000 carts were left behind at Linen & Larch <Co>, 1,350 with an email address. We sent 1,590 reminders, and 1 cart came back and checked out, bringing in $120.00.',
    );
    expect(text).toMatch(/Reminders sent \(first \/ second\)\s+1,590 \(980 \/ 610\)/);
    expect(text).toMatch(/reminded recently \(do not disturb\)\s+88/);
    expect(text).not.toContain('reminders paused');
    expect(text).toContain(recoveredRule(rules));
    expect(recoveredRule(rules)).toBe('A cart counts as recovered when it is checked out after at least one reminder and within 7 days of the last reminder.');
    expect(html).toContain('Linen &amp; Larch &lt;Co&gt;');
    expect(html).not.toContain('<Co>');
  });

  it('says plainly when nothing happened', () => {
    const { paragraph, text } = composeSummary({ month: '2026-02', rules, counters: EMPTY_COUNTERS });
    expect(paragraph).toBe('No carts came in during February 2026, so there was nobody to remind.');
    expect(text).toMatch(/Money won back\s+\$0\.00/);
  });
});
