/**
 * Parses the owner's rules doc (plain text of a Google Doc) into {@link Rules}.
 *
 * Forgiving about form, strict about meaning: headings, bullets, prose, "Key: value" lines and two-column table
 * rows are all fine, but every value is read and bounds-checked, and any problem rejects the whole doc so a
 * half-edited doc is never half-applied (the caller keeps the last good rules). The format is documented for
 * owners in docs/rules-doc.md.
 */
import type * as z from 'zod';
import { type DocLine, type DocProblem, quote, readDocLines, sortProblems, splitKeyValue } from './doc-text';
import { DEFAULT_RULES, type Rules } from './rules';
import {
  displayOf,
  missingColonLookalike,
  readSettings,
  type RulesSettingId,
  rulesSchema,
  SETTING_NAMES,
  SETTING_OF_PATH,
  type SettingEntry,
  settingLookalike,
} from './rules-doc-settings';
import { readStopLine, type Stops, stopLookalike } from './rules-doc-stops';

export {
  DO_NOT_DISTURB_BOUNDS,
  GIVE_UP_BOUNDS,
  HOLD_BACK_BOUNDS,
  MAX_BIG_CART_THRESHOLD_UNITS,
  RULES_SETTINGS,
  type RulesSettingId,
  rulesSchema,
  WAIT_BOUNDS,
} from './rules-doc-settings';
export { STOP_NAMES } from './rules-doc-stops';
export { zoneWithoutPlace } from './rules-doc-zones';

/** The parsed rules and any notes worth showing the owner, or every problem found (then nothing is applied). */
export type RulesDocResult =
  | { readonly ok: true; readonly rules: Rules; readonly warnings: DocProblem[] }
  | { readonly ok: false; readonly problems: DocProblem[] };

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
      message:
        'Store name is missing; add a line such as "Store name: Linen & Larch" (it goes in the footer of every email)',
    });
  }
  if (!origin.has('postalAddress')) {
    problems.push({
      line: undefined,
      message:
        'Postal address is missing; add a line such as "Postal address: 12 Harbour Road, Portland, ME 04101, USA" ' +
        '(the law requires it in the footer of every email)',
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

/** Turns a schema issue into a problem naming the doc line the value came from. */
function boundsProblem(
  issue: z.core.$ZodIssue,
  origin: ReadonlyMap<RulesSettingId, SettingEntry>,
  stops: Stops,
): DocProblem {
  const path = issue.path.map(String);
  const [head, index] = path;
  if (head === 'stoppedCarts' || head === 'stoppedEmails' || head === 'pause') {
    const list = head === 'pause' ? [stops.pause] : head === 'stoppedCarts' ? stops.carts : stops.emails;
    const stop = list[head === 'pause' ? 0 : Number(index)];
    const line = stop?.line;
    const onLine = line === undefined ? '' : ` on line ${line}`;
    return {
      line,
      message: `stop${onLine}${stop === undefined ? '' : ` (${quote(stop.target)})`}: ${issue.message}`,
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
