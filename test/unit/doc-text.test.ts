import { describe, expect, it } from 'vitest';
import {
  editDistance,
  formatDuration,
  NameMatcher,
  normaliseName,
  parseCount,
  parseDuration,
  parseTimeOfDay,
  parseYesNo,
  readDocLines,
  splitKeyValue,
  stripBullet,
  stripHeadingMarks,
  stripTrailingNote,
  tableCells,
} from '../../src/domain/owner-docs/doc-text';

describe('readDocLines', () => {
  it('numbers lines from 1 and keeps blank lines so numbers match the doc', () => {
    const lines = readDocLines('# Title\n\n• Store name: Linen\r\nlast');
    expect(lines.map((line) => line.number)).toEqual([1, 2, 3, 4]);
    expect(lines.map((line) => line.text)).toEqual(['Title', '', 'Store name: Linen', 'last']);
    expect(lines[0]?.headingLevel).toBe(1);
    expect(lines[2]?.raw).toBe('• Store name: Linen');
  });

  it('drops invisible characters and treats odd spaces and soft breaks as spaces', () => {
    const [line] = readDocLines('\uFEFFStore\u00A0name:\u200B Linen\u000BLarch');
    expect(line?.text).toBe('Store name: Linen Larch');
  });

  it('recognises table rows by tab or " | "', () => {
    const lines = readDocLines('Quiet hours\t9pm to 8am\n| Currency | USD |\n|---|---|\nplain: text');
    expect(lines[0]?.cells).toEqual(['Quiet hours', '9pm to 8am']);
    expect(lines[1]?.cells).toEqual(['Currency', 'USD']);
    expect(lines[2]?.cells).toEqual([]);
    expect(lines[3]?.cells).toBeUndefined();
  });
});

describe('stripBullet', () => {
  it.each([
    ['• Store name: Linen', 'Store name: Linen'],
    ['- Quiet hours: 9pm to 8am', 'Quiet hours: 9pm to 8am'],
    ['* Currency: USD', 'Currency: USD'],
    ['1. Time zone: Europe/London', 'Time zone: Europe/London'],
    ['12) Reminders: 2', 'Reminders: 2'],
    ['a) Do not disturb: 3 days', 'Do not disturb: 3 days'],
    ['(b) Do not disturb: 3 days', 'Do not disturb: 3 days'],
    ['◦ nested', 'nested'],
  ])('strips the bullet from %s', (input, expected) => {
    expect(stripBullet(input)).toBe(expected);
  });

  it.each(['-5 degrees', '4h is the wait', 'A. Smith & Co', 'Store name: Linen'])('leaves %s alone', (input) => {
    expect(stripBullet(input)).toBe(input);
  });
});

describe('stripHeadingMarks', () => {
  it('counts # marks and drops closing ones', () => {
    expect(stripHeadingMarks('## Waits ##')).toEqual({ level: 2, text: 'Waits' });
    expect(stripHeadingMarks('# Store')).toEqual({ level: 1, text: 'Store' });
    expect(stripHeadingMarks('Store')).toEqual({ level: 0, text: 'Store' });
    expect(stripHeadingMarks('#hashtag')).toEqual({ level: 0, text: '#hashtag' });
  });
});

describe('tableCells', () => {
  it('keeps all cells and drops trailing empty ones', () => {
    expect(tableCells('Setting\tValue\tNotes')).toEqual(['Setting', 'Value', 'Notes']);
    expect(tableCells('Key\tvalue\t\t')).toEqual(['Key', 'value']);
    expect(tableCells('only one\t')).toBeUndefined();
    expect(tableCells('no table here')).toBeUndefined();
  });
});

describe('splitKeyValue', () => {
  it('splits at the first colon so values may hold colons', () => {
    const [line] = readDocLines('Quiet hours: 21:00 to 08:00');
    expect(line && splitKeyValue(line)).toEqual({ key: 'Quiet hours', value: '21:00 to 08:00' });
  });

  it('reads the first two cells of a table row and drops a colon on the key', () => {
    const [line] = readDocLines('Store name:\tLinen & Larch\tshown in the footer');
    expect(line && splitKeyValue(line)).toEqual({ key: 'Store name', value: 'Linen & Larch' });
  });

  it('gives undefined for a line without a colon or cells', () => {
    const [line] = readDocLines('Just some words');
    expect(line && splitKeyValue(line)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['4 hours', 240],
    ['4h', 240],
    ['4 hrs', 240],
    ['4 HOURS', 240],
    ['90 min', 90],
    ['90 minutes', 90],
    ['1 day', 1440],
    ['2 days', 2880],
    ['1.5 hours', 90],
    ['an hour', 60],
    ['two days', 2880],
    ['1 day 12 hours', 2160],
    ['1 day and 12 hours', 2160],
    ['1h30m', 90],
    ['1 week', 10080],
    ['0', 0],
    ['15 mins.', 15],
  ])('reads %s as %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: minutes });
  });

  it.each([
    ['4', /no unit/],
    ['4 hourz', /number and a unit/],
    ['four-ish hours', /number and a unit/],
    ['soon', /number and a unit/],
    ['', /empty/],
    ['1.01 hours', /whole number of minutes/],
    ['hours 4', /number and a unit/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('formats minutes back into words', () => {
    expect(formatDuration(240)).toBe('4 hours');
    expect(formatDuration(2160)).toBe('1 day 12 hours');
    expect(formatDuration(61)).toBe('1 hour 1 minute');
    expect(formatDuration(0)).toBe('0 minutes');
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['9pm', '21:00'],
    ['9 pm', '21:00'],
    ['9 p.m.', '21:00'],
    ['9PM', '21:00'],
    ['21:00', '21:00'],
    ['8am', '08:00'],
    ['8:30 am', '08:30'],
    ['08:30', '08:30'],
    ['noon', '12:00'],
    ['midnight', '00:00'],
    ['12am', '00:00'],
    ['12pm', '12:00'],
    ['12:30 am', '00:30'],
    ['0:15', '00:15'],
  ])('reads %s as %s', (text, time) => {
    expect(parseTimeOfDay(text)).toEqual({ ok: true, value: time });
  });

  it.each([
    ['9', /am or pm/],
    ['25:00', /0 to 23/],
    ['13pm', /1 to 12/],
    ['0am', /1 to 12/],
    ['9:75', /00 to 59/],
    ['late', /write a time/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseTimeOfDay(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('parseYesNo', () => {
  it.each([
    ['yes', true],
    ['Yes.', true],
    ['on', true],
    ['TRUE', true],
    ['required', true],
    ['no', false],
    ['off', false],
    ['false', false],
    ['not required', false],
    ['Not  required', false],
  ])('reads %s as %s', (text, answer) => {
    expect(parseYesNo(text)).toBe(answer);
  });

  it.each(['maybe', '', 'yes please'])('gives undefined for %s', (text) => {
    expect(parseYesNo(text)).toBeUndefined();
  });
});

describe('parseCount', () => {
  it('reads digits and small number words', () => {
    expect(parseCount('2')).toBe(2);
    expect(parseCount('Two')).toBe(2);
    expect(parseCount('3')).toBe(3);
    expect(parseCount('a')).toBeUndefined();
    expect(parseCount('2.5')).toBeUndefined();
  });
});

describe('stripTrailingNote', () => {
  it('drops one bracketed note at the end only', () => {
    expect(stripTrailingNote('3 days (skip anyone reminded recently)')).toBe('3 days');
    expect(stripTrailingNote('3 (three) days')).toBe('3 (three) days');
  });
});

describe('names', () => {
  it('normalises case, spaces, hyphens, punctuation and filler words', () => {
    expect(normaliseName('Big-cart  THRESHOLD')).toBe('bigcartthreshold');
    expect(normaliseName('Bigcart threshold')).toBe('bigcartthreshold');
    expect(normaliseName('Wait before the first reminder')).toBe('waitfirstreminder');
    expect(normaliseName('Linen & Larch')).toBe('linenandlarch');
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('quiet', 'quite')).toBe(1);
    expect(editDistance('threshhold', 'threshold')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  const matcher = new NameMatcher([
    { id: 'threshold', display: 'Big cart threshold', aliases: ['big cart'] },
    { id: 'quiet', display: 'Quiet hours', aliases: [] },
    { id: 'zone', display: 'Time zone', aliases: ['zone'] },
  ]);

  it('matches exact names and aliases tolerantly', () => {
    expect(matcher.match('big  cart')).toMatchObject({ kind: 'exact', known: { id: 'threshold' } });
    expect(matcher.match('QUIET-HOURS')).toMatchObject({ kind: 'exact', known: { id: 'quiet' } });
    expect(matcher.match('Timezone')).toMatchObject({ kind: 'exact', known: { id: 'zone' } });
  });

  it('finds a close name for a typo but never for a short word', () => {
    expect(matcher.match('Bigcart threshhold')).toMatchObject({
      kind: 'close',
      known: { display: 'Big cart threshold' },
    });
    expect(matcher.match('Quite hours')).toMatchObject({ kind: 'close', known: { id: 'quiet' } });
    // "note" is one letter from "zone", but four-letter words get no typo slack.
    expect(matcher.match('Note')).toEqual({ kind: 'none' });
    expect(matcher.match('Opening hours')).toEqual({ kind: 'none' });
  });

  it('refuses a table where two names share a spelling', () => {
    expect(
      () =>
        new NameMatcher([
          { id: 'a', display: 'Big cart', aliases: [] },
          { id: 'b', display: 'big-cart', aliases: [] },
        ]),
    ).toThrow(/names both a and b/);
  });
});
