import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isQuietTime,
  localTimeZone,
  parseClock,
  QuietHoursError,
  quietHoursDeferral,
} from '../../src/domain/cart/quiet-hours';

const NIGHT = { start: '21:00', end: '08:00' } as const;
const NEW_YORK = 'America/New_York';
const at = (iso: string): Date => new Date(iso);
const iso = (date: Date | undefined): string | undefined => date?.toISOString();

describe('quietHoursDeferral on an ordinary day (New York, EDT = UTC-4)', () => {
  it.each([
    ['20:59 local: still allowed', '2026-06-10T00:59:00Z', undefined],
    ['21:00 local: the first quiet minute', '2026-06-11T01:00:00Z', '2026-06-11T12:00:00.000Z'],
    ['23:30 local: deferred to 08:00 next morning', '2026-06-11T03:30:00Z', '2026-06-11T12:00:00.000Z'],
    ['03:00 local: deferred to 08:00 the same morning', '2026-06-11T07:00:00Z', '2026-06-11T12:00:00.000Z'],
    ['07:59:59 local: deferred one second', '2026-06-11T11:59:59Z', '2026-06-11T12:00:00.000Z'],
    ['08:00 local: the first allowed minute', '2026-06-11T12:00:00Z', undefined],
    ['noon local: allowed', '2026-06-11T16:00:00Z', undefined],
  ])('%s', (_label, now, expected) => {
    expect(iso(quietHoursDeferral(at(now), NEW_YORK, NIGHT))).toBe(expected);
  });
});

describe('quietHoursDeferral across DST in America/New_York', () => {
  // 2026-03-08: 02:00 EST (UTC-5) jumps to 03:00 EDT (UTC-4).
  it.each([
    ['23:00 EST the evening before -> 08:00 EDT', '2026-03-08T04:00:00Z', NIGHT, '2026-03-08T12:00:00.000Z'],
    ['01:30 EST, just before the jump -> 08:00 EDT', '2026-03-08T06:30:00Z', NIGHT, '2026-03-08T12:00:00.000Z'],
    ['03:30 EDT, just after the jump -> 08:00 EDT', '2026-03-08T07:30:00Z', NIGHT, '2026-03-08T12:00:00.000Z'],
    [
      'end 02:30 is skipped -> the next existing minute, 03:00 EDT',
      '2026-03-08T06:00:00Z',
      { start: '22:00', end: '02:30' },
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'end 02:00 is skipped -> 03:00 EDT',
      '2026-03-08T06:59:00Z',
      { start: '22:00', end: '02:00' },
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'start 02:30 is skipped: 03:00 EDT is already quiet -> 06:00 EDT',
      '2026-03-08T07:00:00Z',
      { start: '02:30', end: '06:00' },
      '2026-03-08T10:00:00.000Z',
    ],
    [
      'start 02:30 is skipped: 01:59 EST is before it',
      '2026-03-08T06:59:00Z',
      { start: '02:30', end: '06:00' },
      undefined,
    ],
  ] as const)('spring forward, %s', (_label, now, window, expected) => {
    expect(iso(quietHoursDeferral(at(now), NEW_YORK, window))).toBe(expected);
  });

  // 2026-11-01: 02:00 EDT (UTC-4) falls back to 01:00 EST (UTC-5); 01:00-01:59 happens twice.
  it.each([
    ['22:00 EDT the evening before -> 08:00 EST, not 07:00', '2026-11-01T02:00:00Z', NIGHT, '2026-11-01T13:00:00.000Z'],
    ['01:30 EDT (first pass) -> 08:00 EST', '2026-11-01T05:30:00Z', NIGHT, '2026-11-01T13:00:00.000Z'],
    ['01:30 EST (second pass) -> 08:00 EST', '2026-11-01T06:30:00Z', NIGHT, '2026-11-01T13:00:00.000Z'],
    [
      'end 01:30, first pass 01:10 EDT -> 01:30 EDT',
      '2026-11-01T05:10:00Z',
      { start: '22:00', end: '01:30' },
      '2026-11-01T05:30:00.000Z',
    ],
    [
      'end 01:30, second pass 01:10 EST -> 01:30 EST, never the past 01:30 EDT',
      '2026-11-01T06:10:00Z',
      { start: '22:00', end: '01:30' },
      '2026-11-01T06:30:00.000Z',
    ],
    ['end 01:30, 01:45 EDT is after the window', '2026-11-01T05:45:00Z', { start: '22:00', end: '01:30' }, undefined],
    // 02:00 EDT never comes: the clock goes back to 01:00 EST, outside this window (found by the property below).
    [
      '01:30-02:00 at 01:45 EDT -> 01:00 EST, the moment the clock goes back',
      '2026-11-01T05:45:00Z',
      { start: '01:30', end: '02:00' },
      '2026-11-01T06:00:00.000Z',
    ],
    [
      '01:59-02:00 at 01:59:59.999 EDT -> 01:00 EST',
      '2026-11-01T05:59:59.999Z',
      { start: '01:59', end: '02:00' },
      '2026-11-01T06:00:00.000Z',
    ],
    [
      '22:00-02:00 at 01:45 EDT -> 02:00 EST: 01:00-01:59 EST is quiet on its second pass too',
      '2026-11-01T05:45:00Z',
      { start: '22:00', end: '02:00' },
      '2026-11-01T07:00:00.000Z',
    ],
  ] as const)('fall back, %s', (_label, now, window, expected) => {
    expect(iso(quietHoursDeferral(at(now), NEW_YORK, window))).toBe(expected);
  });
});

describe('quietHoursDeferral window shapes', () => {
  const lunch = { start: '13:00', end: '14:00' };

  it.each([
    ['12:59', '2026-06-10T16:59:00Z', undefined],
    ['13:00', '2026-06-10T17:00:00Z', '2026-06-10T18:00:00.000Z'],
    ['13:45', '2026-06-10T17:45:00Z', '2026-06-10T18:00:00.000Z'],
    ['14:00', '2026-06-10T18:00:00Z', undefined],
    ['23:30', '2026-06-11T03:30:00Z', undefined],
  ])('a window that does not cross midnight (13:00-14:00), at %s local', (_label, now, expected) => {
    expect(iso(quietHoursDeferral(at(now), NEW_YORK, lunch))).toBe(expected);
  });

  it('start == end means no quiet hours at any time of day', () => {
    for (let hour = 0; hour < 24; hour++) {
      const now = new Date(Date.UTC(2026, 5, 10, hour, 17));
      expect(quietHoursDeferral(now, NEW_YORK, { start: '08:00', end: '08:00' })).toBeUndefined();
    }
  });

  it('judges by the zone it is given: 21:30 in New York is 18:30 in Los Angeles', () => {
    const now = at('2026-06-11T01:30:00Z');
    expect(quietHoursDeferral(now, 'America/Los_Angeles', NIGHT)).toBeUndefined();
    expect(iso(quietHoursDeferral(now, NEW_YORK, NIGHT))).toBe('2026-06-11T12:00:00.000Z');
  });

  it('defers to 08:00 in the shopper zone when only the shopper is in quiet hours', () => {
    // 10:30 in New York (store) but 07:30 in Los Angeles (shopper).
    const zone = localTimeZone('America/Los_Angeles', NEW_YORK);
    expect(iso(quietHoursDeferral(at('2026-06-10T14:30:00Z'), zone, NIGHT))).toBe('2026-06-10T15:00:00.000Z');
  });

  it('handles a half-hour zone (Asia/Kolkata, UTC+5:30)', () => {
    // 06:00 local -> 08:00 local = 02:30Z.
    expect(iso(quietHoursDeferral(at('2026-06-10T00:30:00Z'), 'Asia/Kolkata', NIGHT))).toBe('2026-06-10T02:30:00.000Z');
  });
});

describe('localTimeZone', () => {
  it.each([
    ['a valid shopper zone wins', 'America/Chicago', 'America/Chicago'],
    ['surrounding spaces are ignored', ' Europe/Berlin ', 'Europe/Berlin'],
    ['an unknown zone falls back to the store', 'Mars/Olympus_Mons', NEW_YORK],
    ['an offset is not an IANA zone', '+05:00', NEW_YORK],
    ['blank falls back to the store', '  ', NEW_YORK],
    ['absent falls back to the store', undefined, NEW_YORK],
  ])('%s', (_label, cartZone, expected) => {
    expect(localTimeZone(cartZone, NEW_YORK)).toBe(expected);
  });
});

describe('configuration errors', () => {
  it.each(['24:00', '8', '08:60', 'nine', ''])('refuses the clock time "%s"', (text) => {
    expect(() => parseClock(text)).toThrow(QuietHoursError);
    expect(() => quietHoursDeferral(new Date(), NEW_YORK, { start: text, end: '08:00' })).toThrow(QuietHoursError);
  });

  it('reads one-digit hours', () => {
    expect(parseClock('8:05')).toBe(8 * 60 + 5);
  });

  it('refuses an unknown zone rather than guessing one', () => {
    expect(() => quietHoursDeferral(new Date(), 'Nowhere/City', NIGHT)).toThrow(/not an IANA time zone/);
  });
});

describe('quietHoursDeferral properties', () => {
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const zones = [
    NEW_YORK,
    'Europe/London',
    'Europe/Berlin',
    'Australia/Lord_Howe', // 30-minute DST shift
    'America/St_Johns', // UTC-3:30 with DST
    'Pacific/Chatham', // UTC+12:45 with DST
    'Asia/Kolkata',
    'America/Santiago', // DST at midnight
    'UTC',
  ];
  // Instants near 2026 DST transitions, so the generator lands on skipped and repeated hours often.
  const transitions = [
    '2026-03-08T07:00:00Z',
    '2026-11-01T06:00:00Z',
    '2026-03-29T01:00:00Z',
    '2026-10-25T01:00:00Z',
    '2026-04-04T15:00:00Z',
    '2026-10-03T15:30:00Z',
    '2026-04-05T03:00:00Z',
    '2026-09-06T04:00:00Z',
  ].map((text) => Date.parse(text));
  const anyInstant = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') });
  const nearTransition = fc
    .tuple(fc.constantFrom(...transitions), fc.integer({ min: -18 * HOUR, max: 18 * HOUR }))
    .map(([base, shift]) => base + shift);
  const clock = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 15, 30, 45, 59))
    .map(([hour, minute]) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
  const input = fc.record({
    now: fc.oneof(anyInstant, nearTransition).map((ms) => new Date(ms)),
    zone: fc.constantFrom(...zones),
    window: fc.oneof(fc.record({ start: clock, end: clock }), fc.constant(NIGHT)),
  });

  it('never returns a time inside the window or before now, and everything it skips is quiet', () => {
    fc.assert(
      fc.property(input, ({ now, zone, window }) => {
        const until = quietHoursDeferral(now, zone, window);
        if (until === undefined) {
          expect(isQuietTime(now, zone, window)).toBe(false);
          return;
        }
        expect(until.getTime()).toBeGreaterThan(now.getTime());
        expect(isQuietTime(until, zone, window)).toBe(false);
        expect(until.getTime() % MINUTE).toBe(0);
        // Minimal: the minute just before the answer, and points spread between now and it, are all quiet.
        const span = until.getTime() - now.getTime();
        const probes = [
          until.getTime() - MINUTE,
          ...Array.from({ length: 24 }, (_, i) => now.getTime() + (span * i) / 24),
        ];
        for (const probe of probes.filter((t) => t >= now.getTime())) {
          expect(isQuietTime(new Date(probe), zone, window)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
