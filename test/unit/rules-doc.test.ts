import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DocProblem, NameMatcher } from '../../src/domain/owner-docs/doc-text';
import {
  parseRulesDoc,
  RULES_SETTINGS,
  type RulesSettingId,
  rulesSchema,
  STOP_NAMES,
} from '../../src/domain/owner-docs/rules-doc';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';

/** Joins lines into doc text; line n of the doc is argument n. */
const doc = (...lines: string[]): string => lines.join('\n');

const STORE = ['Store name: Linen & Larch', 'Postal address: 12 Harbour Road, Portland, ME 04101, USA'];
const SAMPLE_STORE = {
  name: 'Linen & Larch',
  postalAddress: '12 Harbour Road, Portland, ME 04101, USA',
  timeZone: 'America/New_York',
  currency: 'USD',
};

function rulesOf(text: string, base?: Rules): Rules {
  const result = parseRulesDoc(text, base);
  if (!result.ok)
    throw new Error(`expected the doc to parse, got:\n${result.problems.map((p) => p.message).join('\n')}`);
  return result.rules;
}

function problemsOf(text: string): DocProblem[] {
  const result = parseRulesDoc(text);
  if (result.ok) throw new Error('expected the doc to be refused');
  return result.problems;
}

/** The doc must be refused with exactly one problem, on this line, whose message matches. */
function expectOneProblem(text: string, line: number | undefined, message: RegExp): DocProblem {
  const problems = problemsOf(text);
  expect(problems).toHaveLength(1);
  expect(problems[0]?.line).toBe(line);
  expect(problems[0]?.message).toMatch(message);
  return problems[0] as DocProblem;
}

describe('the example rules doc', () => {
  const text = readFileSync(new URL('../../docs/examples/rules-doc.md', import.meta.url), 'utf8');

  it('parses cleanly to the seed defaults with a sample store', () => {
    const result = parseRulesDoc(text);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(result.ok && result.rules).toEqual({ ...DEFAULT_RULES, store: SAMPLE_STORE });
  });

  it('fills in the sample store rather than the placeholder one', () => {
    const rules = rulesOf(text);
    expect(rules.store.name).toBe('Linen & Larch');
    expect(rules.store.postalAddress).toBe('12 Harbour Road, Portland, ME 04101, USA');
    expect(rules.store.timeZone).toBe('America/New_York');
    expect(rules.store.currency).toBe('USD');
  });
});

describe('a minimal rules doc', () => {
  it('needs only the store name and address; everything else is the default', () => {
    expect(rulesOf(doc(...STORE))).toEqual({ ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, ...STORE_FIELDS() } });
  });

  it('takes absent settings from the base rules, but never the base stops', () => {
    const base: Rules = {
      ...DEFAULT_RULES,
      doNotDisturbMinutes: 60,
      stoppedCarts: [{ target: 'old', reason: 'from before' }],
    };
    const rules = rulesOf(doc(...STORE), base);
    expect(rules.doNotDisturbMinutes).toBe(60);
    expect(rules.stoppedCarts).toEqual([]);
  });

  it('passes the rules schema', () => {
    expect(rulesSchema.safeParse(rulesOf(doc(...STORE))).success).toBe(true);
  });
});

function STORE_FIELDS(): { name: string; postalAddress: string } {
  return { name: SAMPLE_STORE.name, postalAddress: SAMPLE_STORE.postalAddress };
}

describe('forgiving forms', () => {
  it('reads headings, bullets, numbers, tables and prose together', () => {
    const text = doc(
      '# Our rules', //                                         1
      'Written by Sam. Note: we close Sundays.', //             2
      '## Store', //                                            3
      '• Store name: Linen & Larch', //                         4
      '- Store address | 12 Harbour Road, Portland, ME 04101, USA', // 5
      '1. Timezone: Europe/London', //                          6
      'a) Shop currency\tgbp\tthe money we sell in', //         7
      'Waits', //                                               8
      'Setting\tValue', //                                      9
      'Small cart first reminder\t2h', //                      10
      '* small-cart, 2nd reminder: 1 day', //                   11
      '| Big cart, first reminder | 90 min |', //               12
      '|---|---|', //                                           13
      'BIG CART SECOND REMINDER AFTER:   1.5 days', //         14
      '### Considerate', //                                     15
      'Quiet hours: 10 pm until 7:30 am', //                   16
      'Marketing consent: required', //                        17
    );
    const rules = rulesOf(text);
    expect(rules.store).toEqual({
      name: 'Linen & Larch',
      postalAddress: '12 Harbour Road, Portland, ME 04101, USA',
      timeZone: 'Europe/London',
      currency: 'GBP',
    });
    expect(rules.waits).toEqual({
      small: { firstMinutes: 120, secondMinutes: 1440 },
      big: { firstMinutes: 90, secondMinutes: 2160 },
    });
    expect(rules.quietHours).toEqual({ start: '22:00', end: '07:30' });
    expect(rules.requireMarketingConsent).toBe(true);
  });

  it.each([
    ['4h', 240],
    ['4 hours', 240],
    ['4 hrs', 240],
    ['240 minutes', 240],
    ['1 day', 1440],
    ['1.5 hours', 90],
    ['15 min', 15],
    ['14 days', 20160],
    ['4 hours (about half a day)', 240],
  ])('reads a small-cart first wait of %s', (value, minutes) => {
    expect(rulesOf(doc(...STORE, `Small cart, first reminder after: ${value}`)).waits.small.firstMinutes).toBe(minutes);
  });

  it.each([
    ['9pm to 8am', '21:00', '08:00'],
    ['21:00 to 08:00', '21:00', '08:00'],
    ['21:00-08:00', '21:00', '08:00'],
    ['from 9 p.m. to 8 a.m.', '21:00', '08:00'],
    ['between 10pm and 7am', '22:00', '07:00'],
    ['9pm – 8am local time', '21:00', '08:00'],
    ['midnight to 6am', '00:00', '06:00'],
    ['1pm to 2pm', '13:00', '14:00'],
  ])('reads quiet hours %s', (value, start, end) => {
    expect(rulesOf(doc(...STORE, `Quiet hours: ${value}`)).quietHours).toEqual({ start, end });
  });

  it('reads "Quiet hours: none" as no quiet window (start equals end)', () => {
    expect(rulesOf(doc(...STORE, 'Quiet hours: none')).quietHours).toEqual({ start: '00:00', end: '00:00' });
  });

  it.each([
    ['$100', 'USD', 100_00],
    ['$100 or more', 'USD', 100_00],
    ['100 USD', 'USD', 100_00],
    ['usd 100', 'USD', 100_00],
    ['at least $75.50', 'USD', 75_50],
    ['$1,000+', 'USD', 1_000_00],
    ['150', 'USD', 150_00],
    ['€80 and up', 'EUR', 80_00],
    ['£60', 'GBP', 60_00],
    ['¥12,000', 'JPY', 12_000],
  ])('reads a big-cart threshold of %s in %s', (value, currency, minor) => {
    const rules = rulesOf(doc(...STORE, `Currency: ${currency}`, `Big cart threshold: ${value}`));
    expect(rules.bigCartThresholdMinor).toBe(minor);
  });

  it('reads the currency even when it comes after the threshold', () => {
    const rules = rulesOf(doc(...STORE, 'Big cart: €80 or more', 'Currency: EUR'));
    expect(rules.bigCartThresholdMinor).toBe(80_00);
    expect(rules.store.currency).toBe('EUR');
  });

  it.each([
    ['Reminders per cart: 1', 1],
    ['Reminders per cart: two', 2],
    ['Number of reminders: 2 reminders, then stop', 2],
    ['Give-up point: 1 reminder', 1],
    ['Max reminders: up to 2', 2],
  ])('reads %s', (line, count) => {
    expect(rulesOf(doc(...STORE, line)).maxReminders).toBe(count);
  });

  it.each([
    ['Give up: 7 days after the last reminder', 10080],
    ['Give up after: 10 days', 14400],
    ['Give up window: 1 day', 1440],
    ['Give up: 30 days', 43200],
  ])('reads %s', (line, minutes) => {
    expect(rulesOf(doc(...STORE, line)).giveUpAfterMinutes).toBe(minutes);
  });

  it.each([
    ['Do not disturb: 3 days', 4320],
    ['Do-not-disturb window: 36 hours', 2160],
    ['DND: none', 0],
    ['Do not disturb: 0', 0],
    ["Don't disturb: 1 week", 10080],
  ])('reads %s', (line, minutes) => {
    expect(rulesOf(doc(...STORE, line)).doNotDisturbMinutes).toBe(minutes);
  });

  it.each([
    ['yes', true],
    ['no', false],
    ['on', true],
    ['off', false],
    ['true', true],
    ['false', false],
    ['required', true],
    ['not required', false],
  ])('reads marketing consent %s', (value, required) => {
    expect(rulesOf(doc(...STORE, `Marketing consent required: ${value}`)).requireMarketingConsent).toBe(required);
  });

  it.each([
    ['Send only with consent: yes', true],
    ['Send only with consent: no', false],
    ['Only with consent: on (we sell in Germany)', true],
    ['Opt-in only: yes', true],
    ['Send only with marketing consent: true', true],
  ])('reads the consent-only setting "%s"', (line, only) => {
    expect(rulesOf(doc(...STORE, line)).sendOnlyWithConsent).toBe(only);
  });

  it('leaves the consent-only setting off unless the doc says so, and refuses a value that is not yes or no', () => {
    expect(rulesOf(doc(...STORE)).sendOnlyWithConsent).toBe(false);
    const result = parseRulesDoc(doc(...STORE, 'Send only with consent: sometimes'));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((problem) => problem.message)).toEqual([
        expect.stringMatching(/^Send only with consent on line \d+ is "sometimes": write yes or no$/),
      ]);
  });

  it.each([
    ['Hold back: 10% of carts', 10],
    ['Hold back: 12.5 %', 12.5],
    ['Holdback: 5 percent of remindable carts', 5],
    ['Control group: 20%', 20],
    ['Hold back: off', 0],
    ['Hold back: none (we tried it in spring)', 0],
  ])('reads the hold-back setting "%s"', (line, percent) => {
    expect(rulesOf(doc(...STORE, line)).holdBackPercent).toBe(percent);
  });

  it('leaves the hold-back off unless the doc says so, and names the line of a share it cannot use', () => {
    expect(rulesOf(doc(...STORE)).holdBackPercent).toBe(0);
    expectOneProblem(
      doc(...STORE, 'Hold back: some carts'),
      3,
      /^Hold back on line 3 is "some carts": write a share of carts such as "10% of carts", or "off"$/,
    );
    expectOneProblem(
      doc(...STORE, 'Hold back: 60% of carts'),
      3,
      /^Hold back on line 3 is "60% of carts": hold back at most 50% of carts/,
    );
    expectOneProblem(
      doc(...STORE, 'Hold back: 10.125%'),
      3,
      /^Hold back on line 3 is "10.125%": use at most two decimals$/,
    );
  });

  it('accepts "Zone" and UTC', () => {
    expect(rulesOf(doc(...STORE, 'Zone: UTC')).store.timeZone).toBe('UTC');
  });

  it('keeps the official spelling of a time zone written in lower case', () => {
    expect(rulesOf(doc(...STORE, 'Time zone: america/los_angeles')).store.timeZone).toBe('America/Los_Angeles');
  });

  it('ignores prose that merely contains a colon', () => {
    const rules = rulesOf(
      doc(
        ...STORE,
        'Note: we close Sundays',
        'Remember: the big sale starts in May',
        'Phone: 555 0100',
        'Hours: 9 to 5',
      ),
    );
    expect(rules).toEqual({ ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, ...STORE_FIELDS() } });
  });

  it('warns, but accepts, a setting written twice with the same meaning', () => {
    const result = parseRulesDoc(doc(...STORE, 'Quiet hours: 9pm to 8am', 'Quiet hours: 21:00 to 08:00'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rules.quietHours).toEqual({ start: '21:00', end: '08:00' });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({
      line: 4,
      message: expect.stringMatching(/set twice \(lines 3 and 4\)/),
    });
  });

  it('documents every setting name it accepts', () => {
    const reference = readFileSync(new URL('../../docs/rules-doc.md', import.meta.url), 'utf8');
    for (const setting of RULES_SETTINGS) expect(reference).toContain(setting.display);
  });
});

describe('stops', () => {
  it('reads the three kinds of stop with the owner reasons and lines', () => {
    const rules = rulesOf(
      doc(
        ...STORE,
        '## Stops', //                                                           3
        '- Stop cart 8f2k1 — customer phoned, order placed by hand', //           4
        'Stop shopper Jane@Example.com — asked not to be emailed', //           5
        'Pause all reminders — closed for holidays', //                         6
      ),
    );
    expect(rules.stoppedCarts).toEqual([{ target: '8f2k1', reason: 'customer phoned, order placed by hand', line: 4 }]);
    expect(rules.stoppedEmails).toEqual([{ target: 'jane@example.com', reason: 'asked not to be emailed', line: 5 }]);
    expect(rules.pause).toEqual({ target: '', reason: 'closed for holidays', line: 6 });
  });

  it('gives a default reason when the owner writes none', () => {
    const rules = rulesOf(doc(...STORE, 'Stop cart abc-123', 'Stop customer sam@example.org', 'Pause all reminders'));
    expect(rules.stoppedCarts).toEqual([{ target: 'abc-123', reason: 'stopped by the owner', line: 3 }]);
    expect(rules.stoppedEmails).toEqual([{ target: 'sam@example.org', reason: 'stopped by the owner', line: 4 }]);
    expect(rules.pause).toEqual({ target: '', reason: 'paused by the owner', line: 5 });
  });

  it('reads other separators, brackets, tables and synonyms', () => {
    const rules = rulesOf(
      doc(
        ...STORE,
        'Stop cart: 8f2k1 (paid by phone)', //            3
        'Stop cart id #99z - duplicate order', //           4
        'Stop cart\t77q\tcustomer asked', //                5
        'Stop emailing <Pat@Example.com>: complained', //   6
        'Stop everything: stocktake week', //               7
      ),
    );
    expect(rules.stoppedCarts).toEqual([
      { target: '8f2k1', reason: 'paid by phone', line: 3 },
      { target: '99z', reason: 'duplicate order', line: 4 },
      { target: '77q', reason: 'customer asked', line: 5 },
    ]);
    expect(rules.stoppedEmails).toEqual([{ target: 'pat@example.com', reason: 'complained', line: 6 }]);
    expect(rules.pause).toEqual({ target: '', reason: 'stocktake week', line: 7 });
  });

  it('treats "Pause all reminders: no" as not paused and "yes" as paused', () => {
    expect(rulesOf(doc(...STORE, 'Pause all reminders: no')).pause).toBeUndefined();
    expect(rulesOf(doc(...STORE, 'Pause all reminders\tyes')).pause).toEqual({
      target: '',
      reason: 'paused by the owner',
      line: 3,
    });
  });

  it('accepts the other stop wordings the reference lists', () => {
    const rules = rulesOf(doc(...STORE, 'Stop the cart 8f2k1', 'Stop email address a@b.co', 'Pause everything'));
    expect(rules.stoppedCarts.map((stop) => stop.target)).toEqual(['8f2k1']);
    expect(rules.stoppedEmails.map((stop) => stop.target)).toEqual(['a@b.co']);
    expect(rules.pause?.line).toBe(5);
  });

  it('warns about a second pause line and keeps the first', () => {
    const result = parseRulesDoc(doc(...STORE, 'Pause all reminders — holidays', 'Stop all reminders'));
    expect(result).toMatchObject({ ok: true, rules: { pause: { reason: 'holidays', line: 3 } } });
    expect(result.ok && result.warnings).toEqual([
      expect.objectContaining({ line: 4, message: expect.stringMatching(/already paused on line 3/) }),
    ]);
  });

  it('undoes a stop when its line is deleted', () => {
    expect(rulesOf(doc(...STORE)).stoppedCarts).toEqual([]);
  });

  it('warns about a repeated stop and keeps the first', () => {
    const result = parseRulesDoc(doc(...STORE, 'Stop cart 8f2k1 — phoned', 'Stop cart 8f2k1 — again'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rules.stoppedCarts).toEqual([{ target: '8f2k1', reason: 'phoned', line: 3 }]);
    expect(result.warnings[0]).toMatchObject({ line: 4, message: expect.stringMatching(/already stopped on line 3/) });
  });

  it('refuses a stop with a bad email, naming the line', () => {
    const problem = expectOneProblem(
      doc(...STORE, 'Stops', 'Stop shopper jane@ — asked not to be emailed'),
      4,
      /Stop shopper on line 4: "jane@" is not an email address/,
    );
    expect(problem.text).toBe('Stop shopper jane@ — asked not to be emailed');
  });

  it('refuses a shopper stop with a name instead of an email', () => {
    expectOneProblem(doc(...STORE, 'Stop shopper Jane Smith'), 3, /"Jane" is not an email address/);
  });

  it('refuses a cart stop with no cart id', () => {
    expectOneProblem(doc(...STORE, 'Stop cart — customer phoned'), 3, /Stop cart on line 3 has no cart id/);
  });

  it('refuses a cart stop that names an email, pointing to Stop shopper', () => {
    expectOneProblem(
      doc(...STORE, 'Stop cart jane@example.com'),
      3,
      /looks like an email; to stop a shopper write "Stop shopper/,
    );
  });

  it('refuses a Stop line of an unknown kind', () => {
    expectOneProblem(doc(...STORE, 'Stop order 1234'), 3, /line 3 starts with "Stop" but is not a stop/);
  });
});

describe('broken rules docs', () => {
  it('refuses a typo in a setting name and suggests the right one', () => {
    const problem = expectOneProblem(
      doc(...STORE, '', '## Cart size', '', '', 'Bigcart threshhold: $100'),
      7,
      /^unknown setting "Bigcart threshhold" on line 7; did you mean "Big cart threshold"\?$/,
    );
    expect(problem.text).toBe('Bigcart threshhold: $100');
  });

  it.each([
    ['Quite hours: 9pm to 8am', 'Quiet hours'],
    ['Time zoen: Europe/Paris', 'Time zone'],
    ['Small cart frist reminder: 4 hours', 'Small cart, first reminder'],
    ['Do not distrub: 3 days', 'Do not disturb'],
    ['Postal adress: 1 Main St, Springfield', 'Postal address'],
    ['Remindres per cart: 2', 'Reminders per cart'],
    ['Hold bakc: 10% of carts', 'Hold back'],
  ])('suggests the setting for %s', (line, suggestion) => {
    expectOneProblem(doc(...STORE, line), 3, new RegExp(`on line 3; did you mean "${suggestion}"\\?`));
  });

  it('refuses a bad duration, naming the line and the value', () => {
    expectOneProblem(
      doc(...STORE, 'Small cart, first reminder after: 4 hourz'),
      3,
      /Small cart, first reminder on line 3 is "4 hourz": write a number and a unit/,
    );
  });

  it('refuses a duration without a unit', () => {
    expectOneProblem(doc(...STORE, 'Big cart, second reminder: 20'), 3, /is "20": it has no unit/);
  });

  it.each([
    [
      'Small cart, first reminder: 5 min',
      /Small cart, first reminder on line 3 is "5 min": it must be between 15 minutes and 14 days/,
    ],
    [
      'Big cart, second reminder: 15 days',
      /Big cart, second reminder on line 3 is "15 days": it must be between 15 minutes and 14 days/,
    ],
    ['Give up: 12 hours', /Give up on line 3 is "12 hours": it must be between 1 day and 30 days/],
    ['Give up: 31 days', /it must be between 1 day and 30 days/],
    ['Do not disturb: 31 days', /Do not disturb on line 3 is "31 days": it must be between 0 minutes and 30 days/],
  ])('refuses an out-of-bounds duration: %s', (line, message) => {
    expectOneProblem(doc(...STORE, line), 3, message);
  });

  it('refuses a bad time in the quiet hours', () => {
    expectOneProblem(
      doc(...STORE, 'Quiet hours: 9pm to 25:00'),
      3,
      /Quiet hours on line 3 is "9pm to 25:00": "25:00" is not a time of day; hours run from 0 to 23/,
    );
  });

  it('refuses an hour with no am/pm', () => {
    expectOneProblem(doc(...STORE, 'Quiet hours: 9 to 8'), 3, /"9" is not a time of day; add am or pm/);
  });

  it('refuses quiet hours that start and end at the same time', () => {
    expectOneProblem(doc(...STORE, 'Quiet hours: 9pm to 21:00'), 3, /start and end are the same time; write "none"/);
  });

  it('refuses quiet hours with no end', () => {
    expectOneProblem(doc(...STORE, 'Quiet hours: 9pm'), 3, /write a start and an end/);
  });

  it('refuses three reminders, citing the hard cap of two', () => {
    expectOneProblem(
      doc(...STORE, 'Reminders per cart: 3'),
      3,
      /Reminders per cart on line 3 is "3": .*the hard cap is two reminders/,
    );
  });

  it('refuses zero reminders and points to the pause', () => {
    expectOneProblem(
      doc(...STORE, 'Reminders per cart: 0'),
      3,
      /must be 1 or 2; to send no reminders at all, add "Pause all reminders"/,
    );
  });

  it('refuses a reminder count that is not a number', () => {
    expectOneProblem(doc(...STORE, 'Reminders per cart: lots'), 3, /write the number of reminders, 1 or 2/);
  });

  it('refuses an unknown time zone', () => {
    expectOneProblem(
      doc(...STORE, 'Time zone: Eastern'),
      3,
      /Time zone on line 3 is "Eastern": that is not a time zone name; for this one write America\/New_York/,
    );
  });

  it('refuses an unknown currency and does not pile on about the threshold', () => {
    expectOneProblem(
      doc(...STORE, 'Currency: dollars', 'Big cart: $100'),
      3,
      /Currency on line 3 is "dollars": that is not an ISO 4217 currency code/,
    );
  });

  it('refuses a threshold in another currency', () => {
    expectOneProblem(doc(...STORE, 'Big cart threshold: 100 EUR'), 3, /that is in EUR but the store currency is USD/);
  });

  it('refuses a threshold with another currency symbol', () => {
    expectOneProblem(doc(...STORE, 'Big cart threshold: £100'), 3, /"£" is not a symbol of USD/);
  });

  it.each([
    ['Big cart threshold: lots', /Big cart threshold on line 3 is "lots": write an amount such as \$100/],
    ['Big cart threshold: $12.345', /USD has 2 decimal places at most/],
    ['Big cart threshold: $0', /it must be more than zero/],
    ['Big cart threshold: $2,000,000', /it must be at most 1,000,000 USD/],
  ])('refuses a bad threshold: %s', (line, message) => {
    expectOneProblem(doc(...STORE, line), 3, message);
  });

  it('refuses a yes/no setting that is neither', () => {
    expectOneProblem(doc(...STORE, 'Marketing consent required: sometimes'), 3, /is "sometimes": write yes or no/);
  });

  it('refuses a setting given twice with different values, naming both lines', () => {
    const problem = expectOneProblem(
      doc(...STORE, 'Quiet hours: 9pm to 8am', 'Do not disturb: 3 days', 'Quiet hours: 10pm to 7am'),
      5,
      /Quiet hours is set twice with different values: line 3 says "9pm to 8am" and line 5 says "10pm to 7am"/,
    );
    expect(problem.text).toBe('Quiet hours: 10pm to 7am');
  });

  it('refuses a duplicate written with a synonym', () => {
    expectOneProblem(
      doc(...STORE, 'Store name: Larch Ltd'),
      3,
      /Store name is set twice with different values: line 1 says "Linen & Larch" and line 3 says "Larch Ltd"/,
    );
  });

  it('refuses a doc without a store name', () => {
    expectOneProblem(
      doc('Postal address: 12 Harbour Road, Portland, ME 04101, USA', 'Quiet hours: 9pm to 8am'),
      undefined,
      /Store name is missing; add a line such as "Store name: /,
    );
  });

  it('refuses a doc without a postal address', () => {
    expectOneProblem(doc('Store name: Linen & Larch'), undefined, /Postal address is missing/);
  });

  it('refuses an empty value, naming the line', () => {
    expectOneProblem(doc('Store name:', STORE[1] as string), 1, /Store name on line 1 has no value/);
  });

  it('refuses an address too short to be real', () => {
    expectOneProblem(doc(STORE[0] as string, 'Address: Maine'), 2, /too short for a postal address/);
  });

  it('refuses an empty doc with both required settings missing', () => {
    const problems = problemsOf('');
    expect(problems.map((p) => p.line)).toEqual([undefined, undefined]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^Store name is missing/),
      expect.stringMatching(/^Postal address is missing/),
    ]);
  });

  it('reports every problem at once, in line order, and applies nothing', () => {
    const result = parseRulesDoc(
      doc(
        'Quiet hours: 9pm to 25:00', //                 1
        ...STORE, //                                    2, 3
        'Reminders per cart: 3', //                     4
        'Stop shopper nobody', //                       5
        'Small cart first reminder: 4 hourz', //        6
      ),
    );
    expect(result.ok).toBe(false);
    expect('rules' in result).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.line)).toEqual([1, 4, 5, 6]);
  });

  it('refuses a base that breaks the bounds, saying the value is a default', () => {
    const result = parseRulesDoc(doc(...STORE), { ...DEFAULT_RULES, giveUpAfterMinutes: 5 });
    expect(result).toMatchObject({
      ok: false,
      problems: [
        {
          line: undefined,
          message: expect.stringMatching(
            /Give up \(default, not set in the doc\): it must be between 1 day and 30 days/,
          ),
        },
      ],
    });
  });
});

describe('every line is a heading, prose, a setting or a stop (issue 16)', () => {
  it.each([
    [
      'Puase all reminders: yes',
      /looks like a stop but is not one; did you mean "Pause all reminders"\? Write "Pause all reminders: yes"/,
    ],
    ['Stopp cart 8f2k1', /looks like a stop but is not one; did you mean "Stop cart"\? Write "Stop cart 8f2k1"/],
    [
      'Please stop cart 8f2k1',
      new RegExp(
        /has a stop after other words \("Please"\), so it is not in force; /.source +
          /a stop must start its line: write "Stop cart 8f2k1"/.source,
      ),
    ],
    [
      'Kindly pause all reminders — stock count',
      /a stop must start its line: write "Pause all reminders — stock count"/,
    ],
    ['Stop crat 8f2k1 — phoned', /did you mean "Stop cart"\? Write "Stop cart 8f2k1 — phoned"/],
    [
      'Quiet hours 10pm to 7am',
      /looks like the setting "Quiet hours" but has no colon after the name; write "Quiet hours: 10pm to 7am"/,
    ],
    ['Quite hours 10pm to 7am', /looks like the setting "Quiet hours" \(it says "Quite hours"\) but has no colon/],
    [
      'Quiet hours = 10pm to 7am',
      /looks like the setting "Quiet hours" but has "=" where a colon belongs; write "Quiet hours: 10pm to 7am"/,
    ],
    [
      'Quiet hours - 21:00 to 08:00',
      /looks like the setting "Quiet hours" but has "-" where a colon belongs; write "Quiet hours: 21:00 to 08:00"/,
    ],
    ['Do not disturb – 3 days', /looks like the setting "Do not disturb" but has "–" where a colon belongs/],
    ['Big cart threshold $150', /looks like the setting "Big cart threshold" but has no colon/],
    ['Test mode on', /looks like the setting "Test mode" but has no colon/],
  ])('%s is a named problem on its line, with a suggestion', (line, message) => {
    const problem = expectOneProblem(doc(...STORE, line), 3, message);
    expect(problem.text).toBe(line);
  });

  it('leaves prose alone, even when it mentions a setting or a stop', () => {
    const rules = rulesOf(
      doc(
        ...STORE,
        'Quiet hours matter to our shoppers, so we keep them long.',
        'A line that starts with the words Stop cart, then the cart id, stops that one cart.',
        'A line that starts with Pause all reminders stops everything.',
        'We never stop carts by hand unless a customer phones us.',
        'Store opens at nine.',
        'Top sellers this week are the linen shirts.',
      ),
    );
    expect(rules.stoppedCarts).toEqual([]);
    expect(rules.pause).toBeUndefined();
  });

  it('keeps a postal address written over several lines whole, until the blank line', () => {
    const rules = rulesOf(
      doc(
        'Store name: Linen & Larch',
        'Postal address: 12 Harbour Road',
        'Portland, ME 04101',
        'USA',
        '',
        'Our shop is by the sea.',
      ),
    );
    expect(rules.store.postalAddress).toBe('12 Harbour Road\nPortland, ME 04101\nUSA');
  });

  it('reads an address that starts on the line after its name, and stops at the next setting', () => {
    const rules = rulesOf(
      doc(
        'Store name: Linen & Larch',
        'Postal address:',
        'Hafenstraße 12',
        '20457 Hamburg',
        'Germany',
        'Time zone: Europe/Berlin',
      ),
    );
    expect(rules.store).toMatchObject({
      postalAddress: 'Hafenstraße 12\n20457 Hamburg\nGermany',
      timeZone: 'Europe/Berlin',
    });
  });

  it.each([
    ['EST', /"EST" names no place, so it lacks the daylight-saving rules .*; write America\/New_York$/],
    ['GMT', /"GMT" names no place.*; write Europe\/London$/],
    ['PST8PDT', /"PST8PDT" names no place.*; write America\/Los_Angeles$/],
    ['MST', /"MST" names no place.*; write America\/Denver \(or America\/Phoenix in Arizona/],
    ['CET', /"CET" names no place.*; write Europe\/Berlin/],
    ['Etc/GMT+5', /"Etc\/GMT\+5" is a fixed offset \(UTC−5 all year\) and names no place/],
    ['BST', /"BST" names no place.*; write Europe\/London$/],
    ['EDT', /that is not a time zone name; for this one write America\/New_York/],
    ['Japan', /"Japan" is a short name, not a place; write the place's Area\/City name \(such as Asia\/Tokyo\)/],
  ])('refuses the zone %s with the right suggestion', (zone, message) => {
    expectOneProblem(
      doc(...STORE, `Time zone: ${zone}`),
      3,
      new RegExp(`^Time zone on line 3 is "${zone.replace(/[+/]/g, '\\$&')}": ${message.source}`),
    );
  });

  it('accepts UTC (no daylight saving, and it claims none) and places', () => {
    expect(rulesOf(doc(...STORE, 'Time zone: Etc/UTC')).store.timeZone).toBe('Etc/UTC');
    expect(rulesOf(doc(...STORE, 'Time zone: America/Phoenix')).store.timeZone).toBe('America/Phoenix');
  });

  it('reads "Test mode" as a yes/no setting, off by default', () => {
    expect(rulesOf(doc(...STORE)).testMode).toBe(false);
    expect(rulesOf(doc(...STORE, 'Test mode: on')).testMode).toBe(true);
    expectOneProblem(doc(...STORE, 'Test mode: maybe'), 3, /^Test mode on line 3 is "maybe": write yes or no$/);
  });
});

/** One typing slip in a name: a letter dropped, doubled, swapped with its neighbour or replaced. */
const misspelling = (name: string) =>
  fc
    .record({
      at: fc.nat({ max: name.length - 1 }),
      edit: fc.constantFrom('drop', 'double', 'swap', 'replace'),
      letter: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    })
    .map(({ at, edit, letter }) => {
      switch (edit) {
        case 'drop':
          return name.slice(0, at) + name.slice(at + 1);
        case 'double':
          return name.slice(0, at + 1) + name.slice(at);
        case 'swap':
          return at + 1 < name.length
            ? name.slice(0, at) + name.charAt(at + 1) + name.charAt(at) + name.slice(at + 2)
            : name;
        default:
          return name.slice(0, at) + letter + name.slice(at + 1);
      }
    });

/** A value each setting reads, so only the name (or its separator) is wrong. */
const EXAMPLE_VALUE: Readonly<Record<RulesSettingId, string>> = {
  storeName: 'Linen & Larch',
  postalAddress: '12 Harbour Road, Portland, ME 04101, USA',
  timeZone: 'Europe/Paris',
  currency: 'USD',
  bigCartThreshold: '$150',
  smallFirstWait: '2 hours',
  smallSecondWait: '2 days',
  bigFirstWait: '90 min',
  bigSecondWait: '1 day',
  maxReminders: '1',
  giveUpAfter: '5 days',
  quietHours: '10pm to 7am',
  doNotDisturb: '2 days',
  marketingConsent: 'yes',
  consentOnly: 'yes',
  stripeConsent: 'no',
  testMode: 'on',
  holdBack: '10% of carts',
};

describe('common misspellings of every setting and stop are named problems (property)', () => {
  const settings = new NameMatcher(RULES_SETTINGS);
  const stops = new NameMatcher(STOP_NAMES);

  it.each(RULES_SETTINGS.map((setting) => [setting.display, setting] as const))(
    'a misspelt "%s" in any form (colon, "=", dash, no colon) names the setting',
    (_display, setting) => {
      fc.assert(
        fc.property(misspelling(setting.display), fc.constantFrom(': ', ' = ', ' - ', ' '), (name, separator) => {
          // Only true slips: not another accepted spelling, and closest to this setting.
          const match = settings.match(name);
          fc.pre(match.kind === 'close' && match.known.id === setting.id);
          // Without a colon, a free-text setting is only told from prose by its two-word name ("Store name Linen &
          // Larch"); a slip that joins the words ("Storeaname Linen & Larch") reads as prose, by design.
          const words = (text: string) => text.trim().split(/\s+/).length;
          fc.pre(
            !(
              separator === ' ' &&
              words(name) < words(setting.display) &&
              ['storeName', 'postalAddress'].includes(setting.id)
            ),
          );
          const line = `${name}${separator}${EXAMPLE_VALUE[setting.id]}`;
          const problems = problemsOf(doc(...STORE, line));
          expect(problems).toEqual([
            expect.objectContaining({ line: 3, message: expect.stringContaining(`"${setting.display}"`) }),
          ]);
        }),
        { numRuns: 50 },
      );
    },
  );

  it.each(RULES_SETTINGS.map((setting) => [setting.display, setting] as const))(
    '"%s" written correctly with "=", a dash or no colon names the setting',
    (_display, setting) => {
      for (const separator of [' = ', ' - ', ' – ', ' ']) {
        const problems = problemsOf(doc(...STORE, `${setting.display}${separator}${EXAMPLE_VALUE[setting.id]}`));
        expect(problems).toEqual([
          expect.objectContaining({ line: 3, message: expect.stringContaining(`"${setting.display}"`) }),
        ]);
      }
    },
  );

  const TARGET = { cart: ' 8f2k1 — phoned', shopper: ' jane@example.com — asked', pause: ': yes' } as const;
  it.each(STOP_NAMES.flatMap((stop) => [stop.display, ...stop.aliases].map((name) => [name, stop] as const)))(
    'a misspelt "%s" is a named problem, or the stop it meant is in force; never ignored',
    (name, stop) => {
      fc.assert(
        fc.property(misspelling(name), fc.constantFrom('', 'Please ', 'Owner: '), (mistyped, before) => {
          const match = stops.match(mistyped);
          fc.pre(match.kind === 'close' && match.known.id === stop.id);
          const line = `${before}${mistyped}${TARGET[stop.id]}`;
          const result = parseRulesDoc(doc(...STORE, line));
          if (result.ok) {
            // A slip the stop reader still understands puts the stop in force: the owner's intent, not silence.
            const inForce =
              stop.id === 'pause'
                ? result.rules.pause
                : (stop.id === 'cart' ? result.rules.stoppedCarts : result.rules.stoppedEmails)[0];
            expect(inForce, `${line} was silently ignored`).toBeDefined();
          } else {
            expect(result.problems).toEqual([
              expect.objectContaining({ line: 3, message: expect.stringMatching(/stop/i) }),
            ]);
          }
        }),
        { numRuns: 30 },
      );
    },
  );
});
