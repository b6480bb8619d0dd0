/**
 * Shared helpers for reading the owner's Google Docs (the rules doc and the voice doc) as plain text.
 *
 * The text arrives one paragraph per line. Owners format by hand, so everything here is forgiving about form
 * (bullets, heading marks, table rows, "4h" or "4 hours") and leaves judging the meaning to the doc parsers.
 */

/** One thing wrong with (or worth telling the owner about) a doc; the message already names the line. */
export interface DocProblem {
  /** 1-based line of the doc text, or undefined when the problem is about something missing. */
  readonly line: number | undefined;
  /** The line as the owner wrote it, for logs and the owner's report. */
  readonly text?: string;
  readonly message: string;
}

/** The outcome of reading one value: the value, or a short reason it could not be read. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** One paragraph of a doc, with its decorations (bullet, heading marks) taken off. */
export interface DocLine {
  /** 1-based line number, the number owners see in messages. */
  readonly number: number;
  /** The line as received, trimmed, with invisible characters removed. */
  readonly raw: string;
  /** The line without list bullet and heading marks. */
  readonly text: string;
  /** How many '#' marks started the line (0 when none). */
  readonly headingLevel: number;
  /** The cells when the line is a table row (two or more cells), else undefined. */
  readonly cells: readonly string[] | undefined;
}

// Zero-width characters and the byte-order mark come along when text is copied out of Google Docs.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
// Non-breaking and other odd spaces are spaces to a reader.
const ODD_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
// A soft line break inside a Google Docs paragraph (Shift+Enter) belongs to the same paragraph.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the vertical tab is how Google Docs writes that break
const SOFT_BREAKS = /[\u000B\u2028]/g;

/** Splits doc text into numbered lines (blank lines included, so numbers match the doc). */
export function readDocLines(text: string): DocLine[] {
  return text.split(/\r\n|\n|\r|\u2029/).map((line, index) => readDocLine(line, index + 1));
}

/** Reads one line of doc text; see {@link readDocLines}. */
export function readDocLine(line: string, number: number): DocLine {
  const raw = line.replace(INVISIBLE, '').replace(SOFT_BREAKS, ' ').replace(ODD_SPACES, ' ').trim();
  const heading = stripHeadingMarks(raw);
  const text = stripBullet(heading.text);
  return { number, raw, text, headingLevel: heading.level, cells: tableCells(text) };
}

// "•", "◦", "▪", "●", "-", "*", "–" then a space; "1." / "1)" / "a)" / "a." / "(a)" then a space. Capital
// letters are left alone so a name such as "A. Smith & Co" survives.
const BULLET = /^(?:[•◦▪▫●○■□‣⁃∙·*\-–—]|\d{1,3}[.)]|\(?[a-z][.)]|\(\d{1,3}\))\s+/;

/** Removes one leading list bullet or list number ("•", "-", "*", "1.", "a)"), if there is one. */
export function stripBullet(text: string): string {
  return text.replace(BULLET, '').trim();
}

/** Removes markdown-style heading marks ("#", "##" ...) and says how many there were. */
export function stripHeadingMarks(text: string): { readonly level: number; readonly text: string } {
  const match = /^(#{1,6})(?:\s+|$)(.*)$/.exec(text.trim());
  if (!match) return { level: 0, text: text.trim() };
  // Closing hashes ("## Waits ##") are decoration too.
  return { level: match[1]?.length ?? 0, text: (match[2] ?? '').replace(/\s+#+\s*$/, '').trim() };
}

/**
 * The cells of a table row, or undefined when the line is not one. Google Docs tables arrive as cells separated
 * by a tab; markdown-ish tables use " | " (outer pipes optional). Rows of only dashes (a markdown rule) give [].
 */
export function tableCells(text: string): string[] | undefined {
  let cells: string[];
  if (text.includes('\t')) {
    cells = text.split('\t');
  } else if (/(^\|)|(\s\|\s)|(\|$)/.test(text)) {
    cells = text.replace(/^\|/, '').replace(/\|$/, '').split('|');
  } else {
    return undefined;
  }
  const trimmed = cells.map((cell) => cell.trim());
  if (trimmed.every((cell) => /^:?-{2,}:?$/.test(cell) || cell === '')) return [];
  // Empty cells at the ends come from trailing tabs; a row needs at least a key and a value cell.
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return trimmed.length >= 2 ? trimmed : undefined;
}

/** A "Key: value" line or a two-column table row, split into its parts. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/**
 * Splits a line into key and value: a table row gives its first two cells (further cells are notes and are
 * ignored); otherwise the text before the first colon is the key. Undefined when the line has neither.
 */
export function splitKeyValue(line: DocLine): KeyValue | undefined {
  if (line.cells !== undefined) {
    const [key, value] = line.cells;
    if (key === undefined || value === undefined) return undefined;
    return { key: key.replace(/:\s*$/, '').trim(), value: value.trim() };
  }
  const colon = line.text.indexOf(':');
  if (colon <= 0) return undefined;
  return { key: line.text.slice(0, colon).trim(), value: line.text.slice(colon + 1).trim() };
}

/** Words that carry no meaning in a setting or section name ("Wait before the first reminder"). */
const FILLER_WORDS = new Set([
  'the',
  'a',
  'an',
  'of',
  'for',
  'per',
  'after',
  'before',
  'is',
  'are',
  'our',
  'my',
  'your',
]);

/**
 * Reduces a name to a comparable form: lower case, no punctuation, hyphens or filler words, and no spaces at all,
 * so "Big-cart threshold", "big cart  Threshold" and "Bigcart threshold" all compare equal.
 */
export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word !== '' && !FILLER_WORDS.has(word))
    .join('');
}

/** How many words of a name carry meaning (filler words such as "the" or "our" do not count). */
export function meaningfulWordCount(name: string): number {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '' && !FILLER_WORDS.has(word)).length;
}

/**
 * Edit distance counting an insertion, deletion, substitution or swap of two neighbouring letters as one edit
 * (optimal string alignment), the usual typing mistakes.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * How many edits a normalised name of this length may be away from a known name and still count as a typo of
 * it. Short names get no slack, so everyday prose ("Note: ...") is never mistaken for a setting.
 */
export function typoAllowance(normalisedLength: number): number {
  if (normalisedLength < 5) return 0;
  if (normalisedLength < 10) return 1;
  if (normalisedLength < 15) return 2;
  return 3;
}

/** A known name (setting, section or field): the id the parser uses, how owners see it, and accepted spellings. */
export interface KnownName<Id extends string> {
  readonly id: Id;
  /** The name as the docs show it and as typo suggestions quote it. */
  readonly display: string;
  /** Accepted spellings besides the display name; compared after {@link normaliseName}. */
  readonly aliases: readonly string[];
}

/** What a name lookup found: the exact known name, a close one (a likely typo), or nothing. */
export type NameMatch<Id extends string> =
  | { readonly kind: 'exact'; readonly known: KnownName<Id> }
  | { readonly kind: 'close'; readonly known: KnownName<Id> }
  | { readonly kind: 'none' };

/** Looks names up in a fixed list, tolerating case, spacing, hyphens, filler words and small typos. */
export class NameMatcher<Id extends string> {
  private readonly exact = new Map<string, KnownName<Id>>();

  constructor(known: readonly KnownName<Id>[]) {
    for (const name of known) {
      for (const spelling of [name.display, ...name.aliases]) {
        const key = normaliseName(spelling);
        const taken = this.exact.get(key);
        // Two names sharing a spelling would make the doc ambiguous; catch it when the table is written.
        if (taken !== undefined && taken.id !== name.id) {
          throw new Error(`"${spelling}" names both ${taken.id} and ${name.id}`);
        }
        this.exact.set(key, name);
      }
    }
  }

  /** Finds the known name an owner's key means. */
  match(key: string): NameMatch<Id> {
    const normalised = normaliseName(key);
    if (normalised === '') return { kind: 'none' };
    const exact = this.exact.get(normalised);
    if (exact !== undefined) return { kind: 'exact', known: exact };
    const allowance = typoAllowance(normalised.length);
    if (allowance === 0) return { kind: 'none' };
    let best: { known: KnownName<Id>; distance: number } | undefined;
    for (const [spelling, known] of this.exact) {
      // Cheap length check first: the distance is at least the length difference.
      if (Math.abs(spelling.length - normalised.length) > allowance) continue;
      const distance = editDistance(normalised, spelling);
      if (distance <= allowance && (best === undefined || distance < best.distance)) best = { known, distance };
    }
    return best === undefined ? { kind: 'none' } : { kind: 'close', known: best.known };
  }
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** Reads a whole number written in digits or as a word ("2", "two"); undefined otherwise. */
export function parseCount(text: string): number | undefined {
  const word = text.trim().toLowerCase();
  if (/^\d{1,6}$/.test(word)) return Number(word);
  return word === 'a' || word === 'an' ? undefined : NUMBER_WORDS[word];
}

const MINUTES_PER_UNIT: readonly (readonly [RegExp, number])[] = [
  [/^(?:m|min|mins|minute|minutes)$/, 1],
  [/^(?:h|hr|hrs|hour|hours)$/, 60],
  [/^(?:d|day|days)$/, 24 * 60],
  [/^(?:w|wk|wks|week|weeks)$/, 7 * 24 * 60],
];

// One "number unit" part: "4 hours", "4h", "1.5 hours", "an hour", "two days". A word amount needs a space.
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?\s*|[a-z]+\s+)([a-z]+)\.?\s*/y;
const DURATION_HINT = 'write a number and a unit, like 4 hours, 90 min or 1 day';

/**
 * Reads a duration as whole minutes: "4 hours", "4h", "4 hrs", "90 min", "1 day", "1.5 hours", "2 days",
 * "an hour", "1 day 12 hours", "1h30m". A bare "0" is zero. Fractions must come out to whole minutes.
 */
export function parseDuration(text: string): Parsed<number> {
  const cleaned = text
    .toLowerCase()
    .replace(/,|\band\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return { ok: false, reason: 'it is empty' };
  if (/^0+(?:\.0+)?$/.test(cleaned)) return { ok: true, value: 0 };
  if (/^\d+(?:\.\d+)?$/.test(cleaned)) return { ok: false, reason: 'it has no unit; add minutes, hours or days' };
  let minutes = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < cleaned.length) {
    const match = DURATION_PART.exec(cleaned);
    if (match === null) return { ok: false, reason: DURATION_HINT };
    const amountText = (match[1] ?? '').trim();
    const unitText = match[2] ?? '';
    const amount = /^[0-9]/.test(amountText) ? Number(amountText) : NUMBER_WORDS[amountText];
    const unit = MINUTES_PER_UNIT.find(([pattern]) => pattern.test(unitText))?.[1];
    if (amount === undefined || unit === undefined) return { ok: false, reason: DURATION_HINT };
    minutes += amount * unit;
  }
  // Floating point: 1.1 hours is 66.00000000000001 minutes; anything further from whole is a real fraction.
  const whole = Math.round(minutes);
  if (Math.abs(minutes - whole) > 1e-9) return { ok: false, reason: 'it is not a whole number of minutes' };
  if (!Number.isSafeInteger(whole)) return { ok: false, reason: 'it is far too long' };
  return { ok: true, value: whole };
}

/** Formats whole minutes the way owners write them ("4 hours", "1 day 12 hours", "90 minutes"). */
export function formatDuration(minutes: number): string {
  if (minutes === 0) return '0 minutes';
  const units: readonly (readonly [number, string])[] = [
    [24 * 60, 'day'],
    [60, 'hour'],
    [1, 'minute'],
  ];
  const words: string[] = [];
  let left = minutes;
  for (const [size, name] of units) {
    const count = Math.floor(left / size);
    if (count > 0) words.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    left -= count * size;
  }
  return words.join(' ');
}

/**
 * Reads a time of day as "HH:MM" (24-hour): "9pm", "9 pm", "9 p.m.", "21:00", "8am", "8:30 am", "noon",
 * "midnight". A bare hour without am/pm ("9") is refused: it could mean morning or evening.
 */
export function parseTimeOfDay(text: string): Parsed<string> {
  const cleaned = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (cleaned === 'noon' || cleaned === 'midday' || cleaned === '12 noon') return { ok: true, value: '12:00' };
  if (cleaned === 'midnight' || cleaned === '12 midnight') return { ok: true, value: '00:00' };
  const match = /^(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$/.exec(cleaned);
  if (!match) return { ok: false, reason: 'write a time like 9pm, 8:30 am or 21:00' };
  const hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const meridiem = match[3]?.startsWith('a') ? 'am' : match[3]?.startsWith('p') ? 'pm' : undefined;
  if (minute > 59) return { ok: false, reason: 'minutes run from 00 to 59' };
  let hour24: number;
  if (meridiem === undefined) {
    if (match[2] === undefined) return { ok: false, reason: 'add am or pm (or write it as 21:00)' };
    if (hour > 23) return { ok: false, reason: 'hours run from 0 to 23' };
    hour24 = hour;
  } else {
    if (hour < 1 || hour > 12) return { ok: false, reason: 'with am or pm the hour runs from 1 to 12' };
    hour24 = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return { ok: true, value: `${String(hour24).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}

/** Reads yes/no: yes, no, on, off, true, false, required, not required (also y, n, enabled, disabled). */
export function parseYesNo(text: string): boolean | undefined {
  const cleaned = text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!]$/, '');
  if (['yes', 'y', 'on', 'true', 'required', 'enabled'].includes(cleaned)) return true;
  if (['no', 'n', 'off', 'false', 'not required', 'disabled'].includes(cleaned)) return false;
  return undefined;
}

/** Removes a trailing note in brackets ("3 days (skip anyone reminded recently)") from a value. */
export function stripTrailingNote(value: string): string {
  return value.replace(/\s*\([^()]*\)\s*$/, '').trim();
}

/** Quotes a fragment of the owner's text for a message, shortened so messages stay one readable line. */
export function quote(text: string, max = 60): string {
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return `"${short}"`;
}

/** The words of a line with where each starts and ends, so a prefix can be cut off exactly. */
export function wordsOf(text: string): { word: string; start: number; end: number }[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({
    word: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** Problems in line order; missing things (no line) read best after the line-by-line list. */
export function sortProblems(problems: readonly DocProblem[]): DocProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
