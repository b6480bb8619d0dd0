/**
 * Parses the owner's rules doc (plain text of a Google Doc) into {@link Rules}.
 *
 * Forgiving about form, strict about meaning: headings, bullets, prose, "Key: value" lines and two-column table
 * rows are all fine, but every value is read and bounds-checked, and any problem rejects the whole doc so a
 * half-edited doc is never half-applied (the caller keeps the last good rules). The format is documented for
 * owners in docs/rules-doc.md.
 */
import { IANAZone } from 'luxon';
import * as z from 'zod';
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
  readDocLines,
  splitKeyValue,
  stripTrailingNote,
} from './doc-text';
import { currencyExponent, MoneyError, normaliseCurrency, parseMoney } from '../cart/money';
import { DEFAULT_RULES, HARD_REMINDER_CAP, type OwnerStop, type Rules } from './rules';

/** The parsed rules and any notes worth showing the owner, or every problem found (then nothing is applied). */
export type RulesDocResult =
  | { readonly ok: true; readonly rules: Rules; readonly warnings: DocProblem[] }
  | { readonly ok: false; readonly problems: DocProblem[] };

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

const DEFAULT_STOP_REASON = 'stopped by the owner';
const DEFAULT_PAUSE_REASON = 'paused by the owner';

function waitAliases(sizes: readonly string[], steps: readonly string[]): string[] {
  const aliases: string[] = [];
  for (const size of sizes) {
    for (const step of steps) aliases.push(`${size} ${step}`, `${step} ${size}`);
  }
  return aliases;
}

const SMALL = ['small cart', 'small carts', 'small', 'small basket'];
const BIG = ['big cart', 'big carts', 'big', 'large cart', 'large carts', 'large', 'big basket'];
const FIRST = ['first reminder', '1st reminder', 'reminder 1', 'first', '1st', 'first wait', 'wait first reminder', 'first reminder wait', 'first email'];
const SECOND = ['second reminder', '2nd reminder', 'reminder 2', 'second', '2nd', 'second wait', 'wait second reminder', 'second reminder wait', 'second email'];

/**
 * Every setting with the names owners may use for it. Names compare after normalisation (case, spaces, hyphens
 * and filler words such as "the", "after", "per" do not matter). docs/rules-doc.md lists the same names.
 */
export const RULES_SETTINGS: readonly KnownName<RulesSettingId>[] = [
  { id: 'storeName', display: 'Store name', aliases: ['store', 'shop', 'shop name', 'business name'] },
  {
    id: 'postalAddress',
    display: 'Postal address',
    aliases: ['store postal address', 'store address', 'shop address', 'address', 'mailing address', 'business address', 'street address'],
  },
  { id: 'timeZone', display: 'Time zone', aliases: ['timezone', 'store time zone', 'shop time zone', 'zone'] },
  { id: 'currency', display: 'Currency', aliases: ['store currency', 'shop currency'] },
  {
    id: 'bigCartThreshold',
    display: 'Big cart threshold',
    aliases: ['big cart', 'big carts', 'big cart from', 'big cart at', 'big cart amount', 'large cart', 'large carts', 'large cart threshold', 'big basket'],
  },
  { id: 'smallFirstWait', display: 'Small cart, first reminder', aliases: waitAliases(SMALL, FIRST) },
  { id: 'smallSecondWait', display: 'Small cart, second reminder', aliases: waitAliases(SMALL, SECOND) },
  { id: 'bigFirstWait', display: 'Big cart, first reminder', aliases: waitAliases(BIG, FIRST) },
  { id: 'bigSecondWait', display: 'Big cart, second reminder', aliases: waitAliases(BIG, SECOND) },
  {
    id: 'maxReminders',
    display: 'Reminders per cart',
    aliases: ['reminders', 'number of reminders', 'max reminders', 'maximum reminders', 'reminder count', 'how many reminders', 'give up point'],
  },
  {
    id: 'giveUpAfter',
    display: 'Give up',
    aliases: ['give up after', 'give up after last reminder', 'give up window', 'giving up', 'recovery window'],
  },
  { id: 'quietHours', display: 'Quiet hours', aliases: ['quiet time', 'quiet window', 'quiet period', 'no emails between'] },
  {
    id: 'doNotDisturb',
    display: 'Do not disturb',
    aliases: ['dnd', 'do not disturb window', "don't disturb", 'do not disturb period'],
  },
  {
    id: 'marketingConsent',
    display: 'Marketing consent required',
    aliases: ['marketing consent', 'require marketing consent', 'requires marketing consent', 'marketing consent needed', 'consent required'],
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
    aliases: ['stripe consent', 'stripe promotions consent', 'stripe opt-in required', 'stripe opt-in only', 'stripe consent only'],
  },
  { id: 'testMode', display: 'Test mode', aliases: ['test', 'testing', 'testing mode', 'trial mode', 'send tests to me'] },
  {
    id: 'holdBack',
    display: 'Hold back',
    aliases: ['holdback', 'hold back carts', 'hold out', 'holdout', 'control group', 'hold back share', 'reminder hold back'],
  },
];

const SETTING_NAMES = new NameMatcher(RULES_SETTINGS);
const SETTING_BY_ID = new Map(RULES_SETTINGS.map((setting) => [setting.id, setting]));

function displayOf(id: RulesSettingId): string {
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
  target: z.string().min(1, 'it is empty').max(200, 'keep it to 200 characters').regex(/^\S+$/, 'it must not contain spaces'),
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
        .refine((zone) => !IANAZone.isValidZone(zone) || zoneWithoutPlace(zone) === undefined, 'that zone has no place\'s daylight-saving rules'),
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
      .max(HOLD_BACK_BOUNDS.max, `hold back at most ${HOLD_BACK_BOUNDS.max}% of carts, or the reminders stop doing their job`)
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
const SETTING_OF_PATH: Readonly<Record<string, RulesSettingId>> = {
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
interface SettingEntry {
  readonly id: RulesSettingId;
  readonly line: DocLine;
  /** Mutable only while a multi-line postal address is still being read. */
  value: string;
}

/** The values read from the doc, each with the entry it came from. */
interface ReadValues {
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

interface Stops {
  pause: OwnerStop | undefined;
  carts: OwnerStop[];
  emails: OwnerStop[];
}

/**
 * Reads a rules doc. Settings the doc leaves out take their value from `base` (the seed defaults unless given),
 * except the store name and postal address, which the doc must state because every email's footer carries them.
 * Stops come only from the doc: deleting a stop line undoes it.
 */
export function parseRulesDoc(text: string, base: Rules = DEFAULT_RULES): RulesDocResult {
  const problems: DocProblem[] = [];
  const warnings: DocProblem[] = [];
  const entries: SettingEntry[] = [];
  const stops: Stops = { pause: undefined, carts: [], emails: [] };

  // The postal address may run over the lines after it, until a blank line, a heading or anything else.
  let address: { entry: SettingEntry; lines: number } | undefined;
  for (const line of readDocLines(text)) {
    if (address !== undefined && isAddressContinuation(line, address.lines)) {
      address.entry.value = address.entry.value === '' ? line.text : `${address.entry.value}\n${line.text}`;
      address.lines++;
      continue;
    }
    address = undefined;
    // Blank lines, markdown table rules and headings are layout; headings group settings only for the reader.
    if (line.text === '' || line.headingLevel > 0 || (line.cells !== undefined && line.cells.length === 0)) continue;
    if (readStopLine(line, stops, problems, warnings)) continue;
    const keyValue = splitKeyValue(line);
    const match = keyValue === undefined ? undefined : SETTING_NAMES.match(keyValue.key);
    if (keyValue !== undefined && match?.kind === 'exact') {
      const entry: SettingEntry = { id: match.known.id, line, value: keyValue.value };
      entries.push(entry);
      if (entry.id === 'postalAddress' && line.cells === undefined) address = { entry, lines: 0 };
      continue;
    }
    // Every other line is prose unless it looks like a setting or a stop: then it is a problem, never ignored.
    // A stop lookalike needs a whole target (an id with a digit, an email), so it is the surer reading and goes first.
    const lookalike =
      settingLookalike(line) ??
      stopLookalike(line) ??
      (keyValue !== undefined && match?.kind === 'close'
        ? `unknown setting "${keyValue.key}" on line ${line.number}; did you mean "${match.known.display}"?`
        : undefined) ??
      missingColonLookalike(line);
    if (lookalike !== undefined) problems.push({ line: line.number, text: line.raw, message: lookalike });
    // Anything else ("Note: we close Sundays", a paragraph of explanation) is the owner's prose and is left alone.
  }

  const values = readSettings(entries, base, problems, warnings);
  const origin = new Map<RulesSettingId, SettingEntry>();
  for (const entry of entries) if (!origin.has(entry.id)) origin.set(entry.id, entry);

  // A required setting that is present but unreadable has its own problem already; only silence is reported here.
  if (!origin.has('storeName')) {
    problems.push({
      line: undefined,
      message: 'Store name is missing; add a line such as "Store name: Linen & Larch" (it goes in the footer of every email)',
    });
  }
  if (!origin.has('postalAddress')) {
    problems.push({
      line: undefined,
      message:
        'Postal address is missing; add a line such as "Postal address: 12 Harbour Road, Portland, ME 04101, USA" (the law requires it in the footer of every email)',
    });
  }

  const candidate: z.input<typeof rulesSchema> = {
    store: {
      name: values.storeName ?? base.store.name,
      postalAddress: values.postalAddress ?? base.store.postalAddress,
      timeZone: values.timeZone ?? base.store.timeZone,
      currency: values.currency ?? base.store.currency,
    },
    bigCartThresholdMinor: values.bigCartThreshold ?? base.bigCartThresholdMinor,
    waits: {
      small: {
        firstMinutes: values.smallFirstWait ?? base.waits.small.firstMinutes,
        secondMinutes: values.smallSecondWait ?? base.waits.small.secondMinutes,
      },
      big: {
        firstMinutes: values.bigFirstWait ?? base.waits.big.firstMinutes,
        secondMinutes: values.bigSecondWait ?? base.waits.big.secondMinutes,
      },
    },
    maxReminders: values.maxReminders ?? base.maxReminders,
    giveUpAfterMinutes: values.giveUpAfter ?? base.giveUpAfterMinutes,
    quietHours: values.quietHours ?? base.quietHours,
    doNotDisturbMinutes: values.doNotDisturb ?? base.doNotDisturbMinutes,
    requireMarketingConsent: values.marketingConsent ?? base.requireMarketingConsent,
    sendOnlyWithConsent: values.consentOnly ?? base.sendOnlyWithConsent ?? false,
    stripeRequiresConsent: values.stripeConsent ?? base.stripeRequiresConsent ?? true,
    testMode: values.testMode ?? base.testMode ?? false,
    holdBackPercent: values.holdBack ?? base.holdBackPercent ?? 0,
    pause: stops.pause,
    stoppedCarts: stops.carts,
    stoppedEmails: stops.emails,
  };

  const checked = rulesSchema.safeParse(candidate);
  if (!checked.success) {
    for (const issue of checked.error.issues) problems.push(boundsProblem(issue, origin, stops));
  }
  if (problems.length > 0 || !checked.success) return { ok: false, problems: sortProblems(problems) };
  const rules: Rules = checked.data;
  return { ok: true, rules, warnings: sortProblems(warnings) };
}

function sortProblems(problems: DocProblem[]): DocProblem[] {
  // Missing things (no line) read best after the line-by-line list.
  return [...problems].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

/** Turns a schema issue into a problem naming the doc line the value came from. */
function boundsProblem(issue: z.core.$ZodIssue, origin: ReadonlyMap<RulesSettingId, SettingEntry>, stops: Stops): DocProblem {
  const path = issue.path.map(String);
  const [head, index] = path;
  if (head === 'stoppedCarts' || head === 'stoppedEmails' || head === 'pause') {
    const list = head === 'pause' ? [stops.pause] : head === 'stoppedCarts' ? stops.carts : stops.emails;
    const stop = list[head === 'pause' ? 0 : Number(index)];
    const line = stop?.line;
    return {
      line,
      message: `stop${line === undefined ? '' : ` on line ${line}`}${stop === undefined ? '' : ` (${quote(stop.target)})`}: ${issue.message}`,
    };
  }
  const id = SETTING_OF_PATH[path.join('.')];
  const entry = id === undefined ? undefined : origin.get(id);
  if (id === undefined) return { line: undefined, message: `rules: ${path.join('.')}: ${issue.message}` };
  if (entry === undefined) {
    // The value came from the base rules, not the doc.
    return { line: undefined, message: `${displayOf(id)} (default, not set in the doc): ${issue.message}` };
  }
  return {
    line: entry.line.number,
    text: entry.line.raw,
    message: `${displayOf(id)} on line ${entry.line.number} is ${quote(entry.value)}: ${issue.message}`,
  };
}

/** Reads each entry's value; reports unreadable values and conflicting duplicates. */
function readSettings(
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
          ? `${displayOf(entry.id)} is set twice (lines ${first.line.number} and ${second.line.number}) to the same value; one line is enough`
          : `${displayOf(entry.id)} is set twice with different values: line ${first.line.number} says ${quote(first.value)} and line ${second.line.number} says ${quote(second.value)}; keep one`,
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
        stripTrailingNote(value).replace(/\s+(?:after|since|from)\s+(?:the\s+)?(?:last|final)\s+(?:reminder|email)s?$/i, ''),
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
  const match = /^(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)(?:\s+of\s+(?:the\s+)?(?:remindable\s+)?carts?)?$/i.exec(text);
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
      reason: 'that is not a known time zone; use an IANA name such as America/New_York, America/Chicago or Europe/London',
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
  return count === undefined ? { ok: false, reason: 'write the number of reminders, 1 or 2' } : { ok: true, value: count };
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

// Stop lines: "Stop cart <id> — reason", "Stop shopper <email> — reason", "Pause all reminders — reason".
const STOP_CART = /^stop\s+(?:the\s+)?cart\b(?:\s+id\b)?(.*)$/i;
const STOP_SHOPPER = /^stop\s+(?:the\s+)?(?:shopper|customer|emailing|email\s+address|email|address)\b(.*)$/i;
const PAUSE = /^(?:pause|stop\s+all|stop\s+everything)\b(.*)$/i;
const STOP_ANYTHING_ELSE = /^stop\s+\S/i;
const LEADING_SEPARATORS = /^[\s—–\-:;,|]+/;

/** Reads a stop or pause line into `stops`. Returns false when the line is not a stop line at all. */
function readStopLine(line: DocLine, stops: Stops, problems: DocProblem[], warnings: DocProblem[]): boolean {
  // A table row "Stop cart | 8f2k1 | reason" reads like "Stop cart 8f2k1 — reason".
  const [verb, target, ...notes] = line.cells ?? [];
  const text =
    verb === undefined || target === undefined ? line.text : [`${verb} ${target}`, ...notes].join(' — ');
  const problem = (message: string): true => {
    problems.push({ line: line.number, text: line.raw, message });
    return true;
  };

  const cart = STOP_CART.exec(text);
  if (cart) {
    const { target, reason } = splitTarget(cart[1] ?? '');
    if (target === '') return problem(`Stop cart on line ${line.number} has no cart id; write it like "Stop cart 8f2k1 — customer phoned"`);
    if (target.includes('@')) {
      return problem(
        `Stop cart on line ${line.number} names ${quote(target)}, which looks like an email; to stop a shopper write "Stop shopper ${target}"`,
      );
    }
    addStop(stops.carts, { target, reason: reason || DEFAULT_STOP_REASON, line: line.number }, line, 'cart', warnings);
    return true;
  }

  const shopper = STOP_SHOPPER.exec(text);
  if (shopper) {
    const { target, reason } = splitTarget(shopper[1] ?? '');
    const email = target.replace(/^<|>$/g, '').toLowerCase();
    if (email === '') return problem(`Stop shopper on line ${line.number} has no email; write it like "Stop shopper jane@example.com — asked not to be emailed"`);
    if (!z.email().safeParse(email).success) {
      return problem(`Stop shopper on line ${line.number}: ${quote(target)} is not an email address; write it like jane@example.com`);
    }
    addStop(stops.emails, { target: email, reason: reason || DEFAULT_STOP_REASON, line: line.number }, line, 'shopper', warnings);
    return true;
  }

  const pause = PAUSE.exec(text);
  if (pause) {
    const rest = (pause[1] ?? '').replace(/^\s*(?:all\s+)?(?:the\s+)?(?:cart\s+)?(?:reminders?|emails?|everything|sending)?\b/i, '');
    const reason = cleanReason(rest);
    const answer = parseYesNo(reason);
    // "Pause all reminders: no" is a switch set to off, not a pause with the reason "no".
    if (answer === false) return true;
    const stop = { target: '', reason: answer === true || reason === '' ? DEFAULT_PAUSE_REASON : reason, line: line.number };
    if (stops.pause !== undefined) {
      warnings.push({
        line: line.number,
        text: line.raw,
        message: `reminders are already paused on line ${stops.pause.line ?? '?'}; the pause on line ${line.number} adds nothing`,
      });
    } else {
      stops.pause = stop;
    }
    return true;
  }

  if (STOP_ANYTHING_ELSE.test(text)) {
    const mistyped = mistypedStop(text);
    if (mistyped !== undefined) {
      return problem(`line ${line.number} looks like a stop but is not one; did you mean "${mistyped.display}"? Write "${mistyped.corrected}"`);
    }
    return problem(
      `line ${line.number} starts with "Stop" but is not a stop this doc knows; write "Stop cart <cart id> — reason", "Stop shopper <email> — reason" or "Pause all reminders — reason"`,
    );
  }
  return false;
}

function splitTarget(rest: string): { target: string; reason: string } {
  const trimmed = rest.replace(/^[\s:]+/, '');
  // "Stop cart — customer phoned": the reason starts straight away, so there is no target.
  if (/^[—–\-|;,]/.test(trimmed)) return { target: '', reason: cleanReason(trimmed) };
  const target = /^\S*/.exec(trimmed)?.[0] ?? '';
  return {
    target: target.replace(/^#|^["'`]|[.,;:]$|["'`]$/g, ''),
    reason: cleanReason(trimmed.slice(target.length)),
  };
}

function cleanReason(rest: string): string {
  const reason = rest.replace(LEADING_SEPARATORS, '').trim();
  const unwrapped = /^\((.*)\)$/.exec(reason)?.[1] ?? reason;
  return unwrapped.trim();
}

function addStop(list: OwnerStop[], stop: OwnerStop, line: DocLine, kind: string, warnings: DocProblem[]): void {
  const earlier = list.find((existing) => existing.target === stop.target);
  if (earlier !== undefined) {
    warnings.push({
      line: line.number,
      text: line.raw,
      message: `${kind} ${stop.target} is already stopped on line ${earlier.line ?? '?'}; line ${line.number} adds nothing`,
    });
    return;
  }
  list.push(stop);
}

// ---------------------------------------------------------------- lines that look like a setting or a stop

/** How many lines may follow "Postal address: ..." as the rest of the address. */
const MAX_ADDRESS_CONTINUATION_LINES = 5;

/**
 * True when a line carries on the postal address above it: a short plain line (no bullet, colon, "=", table cell,
 * setting or stop) right after it. A blank line, a heading or anything setting-shaped ends the address, and so does
 * a line that reads as a sentence of prose.
 */
function isAddressContinuation(line: DocLine, linesSoFar: number): boolean {
  if (linesSoFar >= MAX_ADDRESS_CONTINUATION_LINES) return false;
  if (line.text === '' || line.headingLevel > 0 || line.cells !== undefined || line.text !== line.raw) return false;
  if (/[:=|\t]/.test(line.text) || line.text.length > 100) return false;
  if (/^(?:stop|pause)\b/i.test(line.text) || stopLookalike(line) !== undefined) return false;
  // "Store name - Linen & Larch": a setting with a dash for its colon (or none) is a setting gone wrong, not address.
  if (settingLookalike(line) !== undefined || missingColonLookalike(line) !== undefined) return false;
  return !(/[.!?]$/.test(line.text) && line.text.split(/\s+/).length >= 6);
}

/** The words of a line with where each starts and ends, so a prefix can be cut off exactly. */
function wordsOf(text: string): { word: string; start: number; end: number }[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({ word: match[0], start: match.index, end: match.index + match[0].length }));
}

const MAX_NAME_WORDS = 6;
const FREE_TEXT_SETTINGS: ReadonlySet<RulesSettingId> = new Set(['storeName', 'postalAddress']);

/** True when `rest` reads as a value of the setting, so "<name> <rest>" is a setting with its colon missing. */
function readsAsValue(id: RulesSettingId, rest: string, nameWords: number): boolean {
  if (rest === '') return false;
  // Free text reads as anything, so only a two-word name ("Store name", "Postal address") says it is a setting.
  if (FREE_TEXT_SETTINGS.has(id)) return nameWords >= 2;
  if (nameWords === 0) return false;
  if (id === 'bigCartThreshold') return ['USD', 'EUR', 'GBP', 'JPY'].some((currency) => readThreshold(rest, currency).ok);
  return readSetting(id, rest, DEFAULT_RULES.store.currency).ok;
}

/**
 * A line that is meant as a setting but is not written as one: "Quiet hours = 10pm to 7am", "Quiet hours - 10pm
 * to 7am", "Quiet hours 10pm to 7am" (no colon), also with a mistyped name. Returns the problem, or undefined for
 * prose. The name must be a setting's (or one typing slip away, as for "Key: value" lines) and, without any
 * separator, the rest must read as that setting's value, so prose such as "Quiet hours matter to us" stays prose.
 */
function settingLookalike(line: DocLine): string | undefined {
  if (line.cells !== undefined) return undefined;
  const text = line.text;
  const separated = /^([^:=]+?)\s*(=|\s[-–—]\s)\s*(.*)$/.exec(text);
  if (separated !== null) {
    const [, key = '', separator = '', value = ''] = separated;
    const match = SETTING_NAMES.match(key);
    if (match.kind !== 'none') {
      const display = match.known.display;
      const written = match.kind === 'close' ? ` (it says "${key}")` : '';
      return `line ${line.number} looks like the setting "${display}"${written} but has "${separator.trim()}" where a colon belongs; write "${display}: ${value}"`;
    }
  }
  return undefined;
}

/** "Quiet hours 10pm to 7am": a setting's name (or a slip away from one) then a value it reads, with no colon. */
function missingColonLookalike(line: DocLine): string | undefined {
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
      return `line ${line.number} looks like the setting "${display}"${written} but has no colon after the name; write "${display}: ${rest}"`;
    }
  }
  return undefined;
}

type StopKind = 'cart' | 'shopper' | 'pause';

/** The ways a stop line may start, for suggestions when one is mistyped ("Stopp cart", "Puase all reminders"). */
export const STOP_NAMES: readonly KnownName<StopKind>[] = [
  { id: 'cart', display: 'Stop cart', aliases: ['stop the cart', 'stop cart id'] },
  {
    id: 'shopper',
    display: 'Stop shopper',
    aliases: ['stop customer', 'stop email', 'stop emailing', 'stop email address', 'stop address'],
  },
  {
    id: 'pause',
    display: 'Pause all reminders',
    aliases: ['pause', 'pause reminders', 'pause all', 'pause everything', 'pause emails', 'pause all emails', 'stop all reminders', 'stop everything', 'stop all'],
  },
];
const STOP_MATCHER = new NameMatcher(STOP_NAMES);
/** What may follow a pause: nothing, a reason after a separator, or yes/no. */
const PAUSE_TAIL = /^(?:$|[—–\-:;(|]|(?:yes|no|on|off)\.?$)/i;

/**
 * True when `text` (starting with a stop's name) reads as a whole stop of that kind: a cart id with a digit, "-" or
 * "_" in it, an email with its "@", or a pause followed by nothing but a reason or yes/no. Stricter than the stop
 * reader itself, because it decides whether a line that is not a stop was meant as one: "our top cart item" is not.
 */
function isWholeStop(kind: StopKind, text: string): boolean {
  if (kind === 'pause') {
    const rest = (PAUSE.exec(text)?.[1] ?? '').replace(/^\s*(?:all\s+)?(?:the\s+)?(?:cart\s+)?(?:reminders?|emails?|everything|sending)?\b/i, '');
    return PAUSE_TAIL.test(rest.trim());
  }
  const found = (kind === 'cart' ? STOP_CART : STOP_SHOPPER).exec(text);
  const target = found === null ? '' : splitTarget(found[1] ?? '').target;
  return kind === 'cart' ? /[\d_-]/.test(target) : target.includes('@');
}

/**
 * A mistyped stop at the start of the line ("Stopp cart 8f2k1", "Puase all reminders: yes"): the suggestion, with
 * the line as it should be written. Undefined when no start of the line is a slip away from a stop.
 */
function mistypedStop(text: string): { display: string; corrected: string } | undefined {
  const words = wordsOf(text);
  for (let count = Math.min(4, words.length); count >= 1; count--) {
    const end = words[count - 1]?.end ?? 0;
    // "reminders:" keeps its colon in what follows, so the suggestion reads as the owner wrote it.
    const name = text.slice(0, end).replace(/[:;,.—–-]+$/, '');
    const match = STOP_MATCHER.match(name);
    if (match.kind !== 'close') continue;
    const corrected = `${match.known.display}${text.slice(name.length)}`;
    if (isWholeStop(match.known.id, corrected)) return { display: match.known.display, corrected };
  }
  return undefined;
}

/**
 * A line meant as a stop that is not one: a mistyped stop word ("Stopp cart 8f2k1") or a stop after a few other
 * words ("Please stop cart 8f2k1"). Returns the problem, or undefined for prose. Prose that merely mentions a stop
 * ("A line that starts with Stop cart, then the cart id, ...") is left alone: a stop needs its target, and a pause
 * nothing but a reason after it.
 */
function stopLookalike(line: DocLine): string | undefined {
  if (line.cells !== undefined) return undefined;
  const text = line.text;
  const mistyped = mistypedStop(text);
  if (mistyped !== undefined) {
    return `line ${line.number} looks like a stop but is not one; did you mean "${mistyped.display}"? Write "${mistyped.corrected}"`;
  }
  // A stop (or a slip away from one) after up to three other words: "Please stop cart 8f2k1", "Owner: Pause all".
  for (const word of wordsOf(text).slice(1, 4)) {
    const before = text.slice(0, word.start).trim();
    const from = text.slice(word.start);
    const kind = STOP_KINDS.find((candidate) => STOP_START[candidate].test(from) && isWholeStop(candidate, from));
    const meant = kind !== undefined ? `${from.charAt(0).toUpperCase()}${from.slice(1)}` : mistypedStop(from)?.corrected;
    if (meant !== undefined) {
      return `line ${line.number} has a stop after other words (${quote(before)}), so it is not in force; a stop must start its line: write "${meant}"`;
    }
  }
  return undefined;
}

const STOP_KINDS: readonly StopKind[] = ['cart', 'shopper', 'pause'];
const STOP_START: Readonly<Record<StopKind, RegExp>> = { cart: STOP_CART, shopper: STOP_SHOPPER, pause: PAUSE };

/** Abbreviations and fixed-offset zones owners write, with the place whose clock they mean. */
const PLACE_FOR_ZONE: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  EASTERN: 'America/New_York',
  'EASTERN TIME': 'America/New_York',
  'US/EASTERN': 'America/New_York',
  EST5EDT: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  CT: 'America/Chicago',
  CENTRAL: 'America/Chicago',
  'CENTRAL TIME': 'America/Chicago',
  CST6CDT: 'America/Chicago',
  MST: 'America/Denver (or America/Phoenix in Arizona, which keeps standard time all year)',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  MOUNTAIN: 'America/Denver',
  'MOUNTAIN TIME': 'America/Denver',
  MST7MDT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  PACIFIC: 'America/Los_Angeles',
  'PACIFIC TIME': 'America/Los_Angeles',
  PST8PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  HST: 'Pacific/Honolulu',
  GMT: 'Europe/London',
  BST: 'Europe/London',
  GMT0: 'Europe/London',
  'GMT+0': 'Europe/London',
  'GMT-0': 'Europe/London',
  GREENWICH: 'Europe/London',
  UK: 'Europe/London',
  GB: 'Europe/London',
  WET: 'Europe/Lisbon',
  CET: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  CEST: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  MET: 'Europe/Berlin (or your own city, such as Europe/Paris)',
  EET: 'Europe/Athens (or your own city, such as Europe/Helsinki)',
  EEST: 'Europe/Athens (or your own city, such as Europe/Helsinki)',
  IST: 'Asia/Kolkata (or Europe/Dublin for Ireland)',
  JST: 'Asia/Tokyo',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
  UCT: 'UTC',
  UNIVERSAL: 'UTC',
  ZULU: 'UTC',
  Z: 'UTC',
};

/** The one zone without a place that is accepted: UTC claims no daylight saving, so nobody is misled by it. */
const UTC_NAMES = new Set(['UTC', 'ETC/UTC']);

/**
 * Why a zone is refused although (or whether or not) the time-zone database knows it: it names no place, so it
 * lacks the daylight-saving rules of the place the owner means (EST is UTC−5 all year: quiet hours an hour off all
 * summer in New York). Undefined for a zone of a real place ("America/New_York") and for UTC.
 */
export function zoneWithoutPlace(zone: string): string | undefined {
  const key = zone.trim().replace(/\s+/g, ' ').toUpperCase();
  if (UTC_NAMES.has(key)) return undefined;
  const noPlace = 'names no place, so it lacks the daylight-saving rules of where you are (quiet hours would be an hour off for part of the year)';
  const suggestion = PLACE_FOR_ZONE[key] ?? PLACE_FOR_ZONE[key.replace(/^ETC\//, '')];
  if (suggestion !== undefined) {
    return IANAZone.isValidZone(zone)
      ? `${quote(zone)} ${noPlace}; write ${suggestion}`
      : `that is not a time zone name; for this one write ${suggestion}`;
  }
  const offset = /^ETC\/GMT([+-])(\d{1,2})$/.exec(key);
  if (offset !== null) {
    // The tz database's Etc signs are reversed: Etc/GMT+5 is five hours behind UTC.
    const utc = `UTC${offset[1] === '+' ? '−' : '+'}${offset[2]}`;
    return `${quote(zone)} is a fixed offset (${utc} all year) and ${noPlace}; write your city's zone, such as America/New_York or Europe/Berlin`;
  }
  const placeless = key.startsWith('ETC/') || key.startsWith('SYSTEMV/') || (!key.includes('/') && IANAZone.isValidZone(zone));
  if (!placeless) return undefined;
  if (key.startsWith('ETC/') || key.startsWith('SYSTEMV/')) return `${quote(zone)} ${noPlace}; write your city's zone, such as America/New_York`;
  // Short names ("Japan", "AST") may stand for a real place or, in some systems, for a different one: ask for the
  // Area/City name, suggesting what this system would have read.
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  const example = canonical.includes('/') && !/^Etc\//.test(canonical) ? canonical : 'America/New_York';
  return `${quote(zone)} is a short name, not a place; write the place's Area/City name (such as ${example}) so daylight saving follows the place`;
}
