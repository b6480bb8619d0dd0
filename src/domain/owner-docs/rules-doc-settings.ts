/**
 * The rules doc's settings: the names owners may use for each, the readers of their values, the bounds every value
 * must meet (`rulesSchema`), and the lines that look like a setting but are not written as one.
 */
import { IANAZone } from 'luxon';
import * as z from 'zod';
import { currencyExponent, MoneyError, normaliseCurrency, parseMoney } from '../cart/money';
import {
  type DocLine,
  type DocProblem,
  formatDuration,
  type KnownName,
  meaningfulWordCount,
  NameMatcher,
  type Parsed,
  parseCount,
  parseDuration,
  parseTimeOfDay,
  parseYesNo,
  quote,
  stripTrailingNote,
  wordsOf,
} from './doc-text';
import { DEFAULT_RULES, HARD_REMINDER_CAP, type Rules } from './rules';
import { zoneWithoutPlace } from './rules-doc-zones';

/** Identifies each setting the rules doc may hold. */
export type RulesSettingId =
  | 'storeName'
  | 'postalAddress'
  | 'timeZone'
  | 'currency'
  | 'bigCartThreshold'
  | 'smallFirstWait'
  | 'smallSecondWait'
  | 'bigFirstWait'
  | 'bigSecondWait'
  | 'maxReminders'
  | 'giveUpAfter'
  | 'quietHours'
  | 'doNotDisturb'
  | 'marketingConsent'
  | 'consentOnly'
  | 'stripeConsent'
  | 'testMode'
  | 'holdBack';

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bounds on each wait before a reminder. */
export const WAIT_BOUNDS = { min: 15 * MINUTE, max: 14 * DAY } as const;
/** Bounds on the give-up window after the last reminder. */
export const GIVE_UP_BOUNDS = { min: 1 * DAY, max: 30 * DAY } as const;
/** Bounds on the do-not-disturb window (0 turns it off). */
export const DO_NOT_DISTURB_BOUNDS = { min: 0, max: 30 * DAY } as const;
/** Bounds on the hold-back share, in percent of remindable carts (0 turns it off). */
export const HOLD_BACK_BOUNDS = { min: 0, max: 50 } as const;
/** The big-cart threshold may be at most this many whole units of the store currency. */
export const MAX_BIG_CART_THRESHOLD_UNITS = 1_000_000;

function waitAliases(sizes: readonly string[], steps: readonly string[]): string[] {
  const aliases: string[] = [];
  for (const size of sizes) {
    for (const step of steps) aliases.push(`${size} ${step}`, `${step} ${size}`);
  }
  return aliases;
}

const SMALL = ['small cart', 'small carts', 'small', 'small basket'];
const BIG = ['big cart', 'big carts', 'big', 'large cart', 'large carts', 'large', 'big basket'];
const FIRST = [
  'first reminder',
  '1st reminder',
  'reminder 1',
  'first',
  '1st',
  'first wait',
  'wait first reminder',
  'first reminder wait',
  'first email',
];
const SECOND = [
  'second reminder',
  '2nd reminder',
  'reminder 2',
  'second',
  '2nd',
  'second wait',
  'wait second reminder',
  'second reminder wait',
  'second email',
];

/**
 * Every setting with the names owners may use for it. Names compare after normalisation (case, spaces, hyphens
 * and filler words such as "the", "after", "per" do not matter). docs/rules-doc.md lists the same names.
 */
export const RULES_SETTINGS: readonly KnownName<RulesSettingId>[] = [
  { id: 'storeName', display: 'Store name', aliases: ['store', 'shop', 'shop name', 'business name'] },
  {
    id: 'postalAddress',
    display: 'Postal address',
    aliases: [
      'store postal address',
      'store address',
      'shop address',
      'address',
      'mailing address',
      'business address',
      'street address',
    ],
  },
  { id: 'timeZone', display: 'Time zone', aliases: ['timezone', 'store time zone', 'shop time zone', 'zone'] },
  { id: 'currency', display: 'Currency', aliases: ['store currency', 'shop currency'] },
  {
    id: 'bigCartThreshold',
    display: 'Big cart threshold',
    aliases: [
      'big cart',
      'big carts',
      'big cart from',
      'big cart at',
      'big cart amount',
      'large cart',
      'large carts',
      'large cart threshold',
      'big basket',
    ],
  },
  { id: 'smallFirstWait', display: 'Small cart, first reminder', aliases: waitAliases(SMALL, FIRST) },
  { id: 'smallSecondWait', display: 'Small cart, second reminder', aliases: waitAliases(SMALL, SECOND) },
  { id: 'bigFirstWait', display: 'Big cart, first reminder', aliases: waitAliases(BIG, FIRST) },
  { id: 'bigSecondWait', display: 'Big cart, second reminder', aliases: waitAliases(BIG, SECOND) },
  {
    id: 'maxReminders',
    display: 'Reminders per cart',
    aliases: [
      'reminders',
      'number of reminders',
      'max reminders',
      'maximum reminders',
      'reminder count',
      'how many reminders',
      'give up point',
    ],
  },
  {
    id: 'giveUpAfter',
    display: 'Give up',
    aliases: ['give up after', 'give up after last reminder', 'give up window', 'giving up', 'recovery window'],
  },
  {
    id: 'quietHours',
    display: 'Quiet hours',
    aliases: ['quiet time', 'quiet window', 'quiet period', 'no emails between'],
  },
  {
    id: 'doNotDisturb',
    display: 'Do not disturb',
    aliases: ['dnd', 'do not disturb window', "don't disturb", 'do not disturb period'],
  },
  {
    id: 'marketingConsent',
    display: 'Marketing consent required',
    aliases: [
      'marketing consent',
      'require marketing consent',
      'requires marketing consent',
      'marketing consent needed',
      'consent required',
    ],
  },
  {
    id: 'consentOnly',
    display: 'Send only with consent',
    aliases: [
      'only with consent',
      'consent only',
      'send only with marketing consent',
      'only with marketing consent',
      'opt-in only',
      'opt-in required',
      'require opt-in',
      'send only to subscribers',
    ],
  },
  {
    id: 'stripeConsent',
    display: 'Stripe consent required',
    aliases: [
      'stripe consent',
      'stripe promotions consent',
      'stripe opt-in required',
      'stripe opt-in only',
      'stripe consent only',
    ],
  },
  {
    id: 'testMode',
    display: 'Test mode',
    aliases: ['test', 'testing', 'testing mode', 'trial mode', 'send tests to me'],
  },
  {
    id: 'holdBack',
    display: 'Hold back',
    aliases: [
      'holdback',
      'hold back carts',
      'hold out',
      'holdout',
      'control group',
      'hold back share',
      'reminder hold back',
    ],
  },
];

export const SETTING_NAMES = new NameMatcher(RULES_SETTINGS);
const SETTING_BY_ID = new Map(RULES_SETTINGS.map((setting) => [setting.id, setting]));

export function displayOf(id: RulesSettingId): string {
  return SETTING_BY_ID.get(id)?.display ?? id;
}

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function minutesBetween(min: number, max: number) {
  const bounds = `it must be between ${formatDuration(min)} and ${formatDuration(max)}`;
  return z.int().min(min, bounds).max(max, bounds);
}

function isKnownCurrency(code: string): boolean {
  try {
    return normaliseCurrency(code) === code;
  } catch {
    return false;
  }
}

const ownerStopSchema = z.object({
  target: z
    .string()
    .min(1, 'it is empty')
    .max(200, 'keep it to 200 characters')
    .regex(/^\S+$/, 'it must not contain spaces'),
  reason: z.string().min(1, 'the reason is empty').max(500, 'keep the reason to 500 characters'),
  line: z.int().positive().optional(),
});

/**
 * The bounds every rules value must meet, whether it came from the doc or from a base. Messages complete the
 * sentence "<setting> on line N is "<value>": ...".
 */
export const rulesSchema = z
  .object({
    store: z.object({
      name: z.string().trim().min(1, 'the store name is empty').max(100, 'keep the store name to 100 characters'),
      postalAddress: z
        .string()
        .trim()
        .min(10, 'that is too short for a postal address; write the full address (street, town, postcode, country)')
        .max(300, 'keep the address to 300 characters'),
      timeZone: z
        .string()
        .refine((zone) => IANAZone.isValidZone(zone), 'that is not a known time zone')
        .refine(
          (zone) => !IANAZone.isValidZone(zone) || zoneWithoutPlace(zone) === undefined,
          "that zone has no place's daylight-saving rules",
        ),
      currency: z.string().refine(isKnownCurrency, 'that is not an ISO 4217 currency code'),
    }),
    bigCartThresholdMinor: z.int().positive('it must be more than zero'),
    waits: z.object({
      small: z.object({
        firstMinutes: minutesBetween(WAIT_BOUNDS.min, WAIT_BOUNDS.max),
        secondMinutes: minutesBetween(WAIT_BOUNDS.min, WAIT_BOUNDS.max),
      }),
      big: z.object({
        firstMinutes: minutesBetween(WAIT_BOUNDS.min, WAIT_BOUNDS.max),
        secondMinutes: minutesBetween(WAIT_BOUNDS.min, WAIT_BOUNDS.max),
      }),
    }),
    maxReminders: z
      .int()
      .min(1, 'it must be 1 or 2; to send no reminders at all, add "Pause all reminders" under Stops')
      .max(HARD_REMINDER_CAP, 'that is more than the hard cap allows; the hard cap is two reminders per cart')
      .transform((count) => count as 1 | 2),
    giveUpAfterMinutes: minutesBetween(GIVE_UP_BOUNDS.min, GIVE_UP_BOUNDS.max),
    quietHours: z.object({
      start: z.string().regex(HH_MM, 'times must be HH:MM'),
      end: z.string().regex(HH_MM, 'times must be HH:MM'),
    }),
    doNotDisturbMinutes: minutesBetween(DO_NOT_DISTURB_BOUNDS.min, DO_NOT_DISTURB_BOUNDS.max),
    requireMarketingConsent: z.boolean(),
    sendOnlyWithConsent: z.boolean(),
    stripeRequiresConsent: z.boolean(),
    testMode: z.boolean(),
    holdBackPercent: z
      .number()
      .min(HOLD_BACK_BOUNDS.min, 'it cannot be negative')
      .max(
        HOLD_BACK_BOUNDS.max,
        `hold back at most ${HOLD_BACK_BOUNDS.max}% of carts, or the reminders stop doing their job`,
      )
      .refine((percent) => Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-6, 'use at most two decimals'),
    // The pause stops everything, so it has no target.
    pause: z.union([ownerStopSchema.extend({ target: z.string().max(0, 'a pause has no target') }), z.undefined()]),
    stoppedCarts: z.array(ownerStopSchema),
    stoppedEmails: z.array(ownerStopSchema.extend({ target: z.email('that is not an email address') })),
  })
  .superRefine((rules, context) => {
    // The upper bound depends on the currency's minor unit (cents, yen ...), so it is checked with both in hand.
    if (!isKnownCurrency(rules.store.currency)) return;
    const max = MAX_BIG_CART_THRESHOLD_UNITS * 10 ** currencyExponent(rules.store.currency);
    if (rules.bigCartThresholdMinor > max) {
      context.addIssue({
        code: 'custom',
        path: ['bigCartThresholdMinor'],
        message: `it must be at most ${MAX_BIG_CART_THRESHOLD_UNITS.toLocaleString('en-US')} ${rules.store.currency}`,
      });
    }
  });

/** Where each schema path comes from, so a bounds problem can name the doc line. */
export const SETTING_OF_PATH: Readonly<Record<string, RulesSettingId>> = {
  'store.name': 'storeName',
  'store.postalAddress': 'postalAddress',
  'store.timeZone': 'timeZone',
  'store.currency': 'currency',
  bigCartThresholdMinor: 'bigCartThreshold',
  'waits.small.firstMinutes': 'smallFirstWait',
  'waits.small.secondMinutes': 'smallSecondWait',
  'waits.big.firstMinutes': 'bigFirstWait',
  'waits.big.secondMinutes': 'bigSecondWait',
  maxReminders: 'maxReminders',
  giveUpAfterMinutes: 'giveUpAfter',
  quietHours: 'quietHours',
  'quietHours.start': 'quietHours',
  'quietHours.end': 'quietHours',
  doNotDisturbMinutes: 'doNotDisturb',
  requireMarketingConsent: 'marketingConsent',
  sendOnlyWithConsent: 'consentOnly',
  stripeRequiresConsent: 'stripeConsent',
  testMode: 'testMode',
  holdBackPercent: 'holdBack',
};

/** One "setting: value" the doc holds, before its value is read. */
export interface SettingEntry {
  readonly id: RulesSettingId;
  readonly line: DocLine;
  /** Mutable only while a multi-line postal address is still being read. */
  value: string;
}

/** The values read from the doc, each with the entry it came from. */
export interface ReadValues {
  storeName?: string;
  postalAddress?: string;
  timeZone?: string;
  currency?: string;
  bigCartThreshold?: number;
  smallFirstWait?: number;
  smallSecondWait?: number;
  bigFirstWait?: number;
  bigSecondWait?: number;
  maxReminders?: number;
  giveUpAfter?: number;
  quietHours?: { start: string; end: string };
  doNotDisturb?: number;
  marketingConsent?: boolean;
  consentOnly?: boolean;
  stripeConsent?: boolean;
  testMode?: boolean;
  holdBack?: number;
}

/** Reads each entry's value; reports unreadable values and conflicting duplicates. */
export function readSettings(
  entries: readonly SettingEntry[],
  base: Rules,
  problems: DocProblem[],
  warnings: DocProblem[],
): ReadValues {
  const values: ReadValues = {};
  const firstRead = new Map<RulesSettingId, { entry: SettingEntry; canonical: string }>();
  // The threshold is in the store currency, so the currency is read first wherever it appears.
  const ordered = [...entries].sort((a, b) => Number(b.id === 'currency') - Number(a.id === 'currency'));
  let currencyUnreadable = false;

  for (const entry of ordered) {
    if (entry.value === '') {
      problems.push({
        line: entry.line.number,
        text: entry.line.raw,
        message: `${displayOf(entry.id)} on line ${entry.line.number} has no value`,
      });
      continue;
    }
    if (entry.id === 'bigCartThreshold' && currencyUnreadable) continue;
    const currency = values.currency ?? base.store.currency;
    const read = readSetting(entry.id, entry.value, currency);
    if (!read.ok) {
      if (entry.id === 'currency') currencyUnreadable = true;
      problems.push({
        line: entry.line.number,
        text: entry.line.raw,
        message: `${displayOf(entry.id)} on line ${entry.line.number} is ${quote(entry.value)}: ${read.reason}`,
      });
      continue;
    }
    const canonical = JSON.stringify(read.value);
    const earlier = firstRead.get(entry.id);
    if (earlier !== undefined) {
      const [first, second] =
        earlier.entry.line.number < entry.line.number ? [earlier.entry, entry] : [entry, earlier.entry];
      const same = earlier.canonical === canonical;
      (same ? warnings : problems).push({
        line: second.line.number,
        text: second.line.raw,
        message: same
          ? `${displayOf(entry.id)} is set twice (lines ${first.line.number} and ${second.line.number}) to the same ` +
            `value; one line is enough`
          : `${displayOf(entry.id)} is set twice with different values: line ${first.line.number} ` +
            `says ${quote(first.value)} and line ${second.line.number} says ${quote(second.value)}; keep one`,
      });
      continue;
    }
    firstRead.set(entry.id, { entry, canonical });
    assignValue(values, entry.id, read.value);
  }
  return values;
}

type SettingValue = string | number | boolean | { start: string; end: string };

function assignValue(values: ReadValues, id: RulesSettingId, value: SettingValue): void {
  // Each reader returns the type its setting holds; the switch keeps that pairing in one place.
  switch (id) {
    case 'storeName':
    case 'postalAddress':
    case 'timeZone':
    case 'currency':
      values[id] = value as string;
      return;
    case 'bigCartThreshold':
    case 'smallFirstWait':
    case 'smallSecondWait':
    case 'bigFirstWait':
    case 'bigSecondWait':
    case 'maxReminders':
    case 'giveUpAfter':
    case 'doNotDisturb':
    case 'holdBack':
      values[id] = value as number;
      return;
    case 'quietHours':
      values[id] = value as { start: string; end: string };
      return;
    case 'marketingConsent':
    case 'consentOnly':
    case 'stripeConsent':
    case 'testMode':
      values[id] = value as boolean;
      return;
  }
}

function readSetting(id: RulesSettingId, value: string, currency: string): Parsed<SettingValue> {
  switch (id) {
    case 'storeName':
      return { ok: true, value: value.replace(/\s+/g, ' ').trim() };
    case 'postalAddress':
      // A multi-line address keeps its lines (the footer prints them as written), each tidied.
      return {
        ok: true,
        value: value
          .split('\n')
          .map((part) => part.replace(/\s+/g, ' ').trim())
          .filter((part) => part !== '')
          .join('\n'),
      };
    case 'timeZone':
      return readTimeZone(value);
    case 'currency':
      return readCurrency(value);
    case 'bigCartThreshold':
      return readThreshold(value, currency);
    case 'smallFirstWait':
    case 'smallSecondWait':
    case 'bigFirstWait':
    case 'bigSecondWait':
      return readDuration(value);
    case 'maxReminders':
      return readReminderCount(value);
    case 'giveUpAfter':
      return readDuration(
        stripTrailingNote(value).replace(
          /\s+(?:after|since|from)\s+(?:the\s+)?(?:last|final)\s+(?:reminder|email)s?$/i,
          '',
        ),
      );
    case 'quietHours':
      return readQuietHours(value);
    case 'doNotDisturb':
      return /^(?:none|off|no)$/i.test(stripTrailingNote(value)) ? { ok: true, value: 0 } : readDuration(value);
    case 'holdBack':
      return readHoldBack(value);
    case 'marketingConsent':
    case 'consentOnly':
    case 'stripeConsent':
    case 'testMode': {
      const answer = parseYesNo(stripTrailingNote(value));
      return answer === undefined ? { ok: false, reason: 'write yes or no' } : { ok: true, value: answer };
    }
  }
}

/** "10% of carts", "10 %", "10 percent", or off/none/no/0 (the default). */
function readHoldBack(value: string): Parsed<number> {
  const text = stripTrailingNote(value).trim();
  if (/^(?:off|none|no|0\s*%?)$/i.test(text)) return { ok: true, value: 0 };
  const match = /^(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)(?:\s+of\s+(?:the\s+)?(?:remindable\s+)?carts?)?$/i.exec(
    text,
  );
  if (!match?.[1]) return { ok: false, reason: 'write a share of carts such as "10% of carts", or "off"' };
  return { ok: true, value: Number(match[1]) };
}

function readDuration(value: string): Parsed<number> {
  return parseDuration(stripTrailingNote(value));
}

function readTimeZone(value: string): Parsed<string> {
  const zone = stripTrailingNote(value);
  const placeless = zoneWithoutPlace(zone);
  if (placeless !== undefined) return { ok: false, reason: placeless };
  if (!IANAZone.isValidZone(zone)) {
    return {
      ok: false,
      reason:
        'that is not a known time zone; use an IANA name such as America/New_York, America/Chicago or Europe/London',
    };
  }
  // Keep the official spelling ("america/new_york" becomes "America/New_York").
  const official = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return { ok: true, value: official.toLowerCase() === zone.toLowerCase() ? official : zone };
}

function readCurrency(value: string): Parsed<string> {
  try {
    return { ok: true, value: normaliseCurrency(stripTrailingNote(value)) };
  } catch {
    return { ok: false, reason: 'that is not an ISO 4217 currency code; write three letters such as USD, EUR or GBP' };
  }
}

function currencySymbols(currency: string): string[] {
  const symbols = new Set<string>([currency]);
  for (const currencyDisplay of ['symbol', 'narrowSymbol'] as const) {
    const parts = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay }).formatToParts(1);
    const symbol = parts.find((part) => part.type === 'currency')?.value;
    if (symbol !== undefined) symbols.add(symbol.toUpperCase());
  }
  return [...symbols];
}

/** Separates "$100", "100 USD", "USD 100" or "100 €" into the currency marker and the amount. */
function splitCurrencyMarker(text: string): { marker: string | undefined; amount: string } {
  const patterns: readonly (readonly [RegExp, 'before' | 'after'])[] = [
    [/^([A-Za-z]{3})\s*(\d.*)$/, 'before'],
    [/^(.*\d)\s*([A-Za-z]{3})$/, 'after'],
    [/^([^\d\s.,]+)\s*(\d.*)$/, 'before'],
    [/^(.*\d)\s*([^\d\s.,]+)$/, 'after'],
  ];
  for (const [pattern, side] of patterns) {
    const match = pattern.exec(text);
    if (match === null) continue;
    const [first, second] = [match[1] ?? '', match[2] ?? ''];
    return side === 'before' ? { marker: first, amount: second } : { marker: second, amount: first };
  }
  return { marker: undefined, amount: text };
}

const MONEY_HINT = 'write an amount such as $100, 100 USD or $1,000 or more';

function readThreshold(value: string, currency: string): Parsed<number> {
  let text = stripTrailingNote(value)
    .replace(/^(?:at least|from|starting at|starts at)\s+/i, '')
    .replace(/\s*(?:or more|or over|or above|or higher|and up|and over|and above|\+)\.?$/i, '')
    .trim();
  const { marker, amount } = splitCurrencyMarker(text);
  text = amount;
  if (marker !== undefined) {
    const upper = marker.toUpperCase();
    if (/^[A-Z]{3}$/.test(upper) && upper !== currency) {
      return { ok: false, reason: `that is in ${upper} but the store currency is ${currency}` };
    }
    if (!currencySymbols(currency).includes(upper)) {
      return { ok: false, reason: `"${marker}" is not a symbol of ${currency}, the store currency; ${MONEY_HINT}` };
    }
  }
  // Thousands separators only in their proper places ("1,000", not "1,00").
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  try {
    return { ok: true, value: parseMoney(text, currency).minor };
  } catch (error) {
    if (error instanceof MoneyError && /decimal places/.test(error.message)) {
      return { ok: false, reason: `${currency} has ${currencyExponent(currency)} decimal places at most` };
    }
    return { ok: false, reason: MONEY_HINT };
  }
}

function readReminderCount(value: string): Parsed<number> {
  const match = /^(?:up to|at most|max(?:imum)?)?\s*(\S+)(?:\s+reminders?)?(?:,?\s+then\s+(?:stop|give up))?\.?$/i.exec(
    stripTrailingNote(value),
  );
  const count = match?.[1] === undefined ? undefined : parseCount(match[1]);
  return count === undefined
    ? { ok: false, reason: 'write the number of reminders, 1 or 2' }
    : { ok: true, value: count };
}

function readQuietHours(value: string): Parsed<{ start: string; end: string }> {
  const text = stripTrailingNote(value)
    .replace(/\s+(?:local time|local|shopper'?s local time)\.?$/i, '')
    .trim();
  if (/^(?:none|off|no)$/i.test(text)) return { ok: true, value: { start: '00:00', end: '00:00' } };
  const parts = text.replace(/^(?:from|between)\s+/i, '').split(/\s+(?:to|until|till|and)\s+|\s*[-–—]\s*/i);
  if (parts.length !== 2) {
    return { ok: false, reason: 'write a start and an end, like 9pm to 8am (or "none" for no quiet hours)' };
  }
  const times: string[] = [];
  for (const part of parts) {
    const time = parseTimeOfDay(part);
    if (!time.ok) return { ok: false, reason: `${quote(part)} is not a time of day; ${time.reason}` };
    times.push(time.value);
  }
  const [start, end] = times as [string, string];
  if (start === end) {
    return { ok: false, reason: 'the start and end are the same time; write "none" to have no quiet hours' };
  }
  return { ok: true, value: { start, end } };
}

const MAX_NAME_WORDS = 6;
const FREE_TEXT_SETTINGS: ReadonlySet<RulesSettingId> = new Set(['storeName', 'postalAddress']);

/** True when `rest` reads as a value of the setting, so "<name> <rest>" is a setting with its colon missing. */
function readsAsValue(id: RulesSettingId, rest: string, nameWords: number): boolean {
  if (rest === '') return false;
  // Free text reads as anything, so only a two-word name ("Store name", "Postal address") says it is a setting.
  if (FREE_TEXT_SETTINGS.has(id)) return nameWords >= 2;
  if (nameWords === 0) return false;
  if (id === 'bigCartThreshold')
    return ['USD', 'EUR', 'GBP', 'JPY'].some((currency) => readThreshold(rest, currency).ok);
  return readSetting(id, rest, DEFAULT_RULES.store.currency).ok;
}

/**
 * A line that is meant as a setting but is not written as one: "Quiet hours = 10pm to 7am", "Quiet hours - 10pm
 * to 7am", "Quiet hours 10pm to 7am" (no colon), also with a mistyped name. Returns the problem, or undefined for
 * prose. The name must be a setting's (or one typing slip away, as for "Key: value" lines) and, without any
 * separator, the rest must read as that setting's value, so prose such as "Quiet hours matter to us" stays prose.
 */
export function settingLookalike(line: DocLine): string | undefined {
  if (line.cells !== undefined) return undefined;
  const text = line.text;
  const separated = /^([^:=]+?)\s*(=|\s[-–—]\s)\s*(.*)$/.exec(text);
  if (separated !== null) {
    const [, key = '', separator = '', value = ''] = separated;
    const match = SETTING_NAMES.match(key);
    if (match.kind !== 'none') {
      const display = match.known.display;
      const written = match.kind === 'close' ? ` (it says "${key}")` : '';
      return (
        `line ${line.number} looks like the setting "${display}"${written} but has "${separator.trim()}" where ` +
        `a colon belongs; write "${display}: ${value}"`
      );
    }
  }
  return undefined;
}

/** "Quiet hours 10pm to 7am": a setting's name (or a slip away from one) then a value it reads, with no colon. */
export function missingColonLookalike(line: DocLine): string | undefined {
  if (line.cells !== undefined) return undefined;
  const text = line.text;
  const words = wordsOf(text);
  for (const kind of ['exact', 'close'] as const) {
    for (let count = Math.min(MAX_NAME_WORDS, words.length - 1); count >= 1; count--) {
      const name = text.slice(0, words[count - 1]?.end);
      const rest = text.slice(words[count - 1]?.end).trim();
      const match = SETTING_NAMES.match(name);
      if (match.kind !== kind || !readsAsValue(match.known.id, rest, meaningfulWordCount(name))) continue;
      const display = match.known.display;
      const written = kind === 'close' ? ` (it says "${name}")` : '';
      return (
        `line ${line.number} looks like the setting "${display}"${written} but has no colon after the name; ` +
        `write "${display}: ${rest}"`
      );
    }
  }
  return undefined;
}
