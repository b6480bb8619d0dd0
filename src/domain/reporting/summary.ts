import { DateTime } from 'luxon';
import { escapeHtml } from '../email/html';
import { formatDuration } from '../owner-docs/doc-text';
import { formatMoney } from '../cart/money';
import type { Rules } from '../owner-docs/rules';
import { type Estimate, newcombeDifference, wilson } from './intervals';

/**
 * What the monthly summary counts, kept as counters that grow as things happen (so the summary costs one read
 * whether the store had a hundred carts or a million). Money won back is kept per currency, in minor units.
 */
export interface MonthlyCounters {
  /** Carts first seen this month. */
  readonly cartsSeen: number;
  /** Of those, carts that gave an email (the only ones that can be reminded). */
  readonly cartsWithAddress: number;
  /** Carts left behind: still unbought when their first reminder fell due (the waiter's first-reminder move). */
  readonly leftBehind: number;
  readonly remindersFirst: number;
  readonly remindersSecond: number;
  /** Reminders sent in test mode (to the owner, not the shopper); not in the two counts above. */
  readonly remindersTest?: number;
  /** Checkouts this month that count as recovered (the rule is printed in the email). */
  readonly recovered: number;
  readonly wonBack: Readonly<Record<string, number>>;
  readonly optOuts: number;
  readonly deferredQuietHours: number;
  /**
   * Reminders whose place in a morning's release fell past local noon or beyond SES's 24-hour quota: sent late, not
   * lost, and a sign the account's limits need raising (docs/operations.md).
   */
  readonly releaseLate?: number;
  /** Sends skipped, by the gate's reason (no_address, do_not_disturb, paused, no_consent, held_back, ...). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Hold-back comparison, by the month a cart joined its group: carts held back (no reminder) ... */
  readonly heldBack: number;
  /** ... and of those, carts that checked out within the recovery window on their own. */
  readonly heldBackReturned: number;
  /** Carts whose first reminder was sent while the hold-back was on (the comparison group) ... */
  readonly holdBackReminded: number;
  /** ... and of those, carts that checked out within the recovery window of that first reminder. */
  readonly holdBackRemindedReturned: number;
  /**
   * Second copies: emails SES accepted for a reminder already recorded as sent with another message (a lost answer
   * plus a SEND event later than the claim's lease). Each reached a shopper (or, in test mode, the owner) twice.
   */
  readonly secondCopies?: number;
}

export const EMPTY_COUNTERS: MonthlyCounters = {
  cartsSeen: 0,
  cartsWithAddress: 0,
  leftBehind: 0,
  remindersFirst: 0,
  remindersSecond: 0,
  remindersTest: 0,
  recovered: 0,
  wonBack: {},
  optOuts: 0,
  deferredQuietHours: 0,
  releaseLate: 0,
  skipped: {},
  heldBack: 0,
  heldBackReturned: 0,
  holdBackReminded: 0,
  holdBackRemindedReturned: 0,
  secondCopies: 0,
};

/** The counters that are plain counts (not kept per reason or per currency). */
export const SIMPLE_COUNTERS = [
  'cartsSeen',
  'cartsWithAddress',
  'leftBehind',
  'remindersFirst',
  'remindersSecond',
  'remindersTest',
  'recovered',
  'optOuts',
  'deferredQuietHours',
  'releaseLate',
  'heldBack',
  'heldBackReturned',
  'holdBackReminded',
  'holdBackRemindedReturned',
  'secondCopies',
] as const;

/**
 * One increment to the month's counters. `undo` takes one back (and, for `recovered`, its money): the cart counter
 * moves a count when a later write changes what a cart row counts for (an older event moves `firstSeenAt` into the
 * month before, an earlier order replaces the one kept).
 */
export type CounterIncrement = (
  | { readonly counter: Exclude<(typeof SIMPLE_COUNTERS)[number], 'recovered'> }
  | { readonly counter: 'recovered'; readonly currency: string; readonly minor: number }
  | { readonly counter: 'skipped'; readonly reason: string }
) & { readonly undo?: true };

/** The month (`2026-11`) an instant belongs to, in the store's time zone: a 23:30 order on the 31st is that month's. */
export function monthOf(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM');
}

/** The month just ended, as seen on `now` in the store's zone (the summary goes out on the 1st). */
export function previousMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).startOf('month').minus({ days: 1 }).toFormat('yyyy-MM');
}

/** The one rule for "recovered", printed in every summary so the owner can compare with other tools. */
export function recoveredRule(rules: Pick<Rules, 'giveUpAfterMinutes'>): string {
  return (
    `A cart counts as recovered when it is checked out within ${formatDuration(rules.giveUpAfterMinutes)} after a ` +
    `reminder the email service accepted; ` +
    'a reminder that was skipped, held for quiet hours or paused and never sent counts for nothing.'
  );
}

/** Below this many held-back carts in a month, the summary says plainly that it cannot tell yet. */
export const MIN_HELD_BACK_TO_TELL = 30;

/** The month before `month` (`2026-11` → `2026-10`). */
export function monthBefore(month: string): string {
  return DateTime.fromFormat(month, 'yyyy-MM', { zone: 'UTC' }).minus({ months: 1 }).toFormat('yyyy-MM');
}

const SKIP_LABELS: Readonly<Record<string, string>> = {
  no_address: 'no email address',
  do_not_disturb: 'reminded recently (do not disturb)',
  paused: 'reminders paused',
  no_consent: 'no marketing consent',
  unsubscribed: 'unsubscribed',
  owner_stopped_cart: 'stopped by you (cart)',
  owner_stopped_shopper: 'stopped by you (shopper)',
  checked_out: 'bought before the reminder went',
  not_open: 'chase already over',
  ses_refused: 'refused by the email service',
  held_back: 'held back for your comparison',
  no_return_link: 'no link back to the cart',
  empty_cart: 'cart was empty',
  ses_sandbox: 'email service not ready to send yet (sandbox)',
  test_mode_no_owner: 'test mode on, but no owner address to send to',
  no_first_reminder: 'follow-up without a first reminder to the shopper (never sent)',
};

/** The hold-back comparison as the summary states it: both rates, the difference, their 95% ranges, or why not. */
export interface HoldBackReading {
  readonly heldBack: number;
  readonly reminded: number;
  /** Absent when the month is too small to tell. */
  readonly natural?: Estimate;
  readonly remindedRate?: Estimate;
  readonly added?: Estimate;
}

/** Reads the month's hold-back counters: estimates only with at least {@link MIN_HELD_BACK_TO_TELL} held-back carts. */
export function readHoldBack(
  c: Pick<MonthlyCounters, 'heldBack' | 'heldBackReturned' | 'holdBackReminded' | 'holdBackRemindedReturned'>,
): HoldBackReading {
  const base = { heldBack: c.heldBack, reminded: c.holdBackReminded };
  if (c.heldBack < MIN_HELD_BACK_TO_TELL || c.holdBackReminded < 1) return base;
  return {
    ...base,
    natural: wilson(c.heldBackReturned, c.heldBack),
    remindedRate: wilson(c.holdBackRemindedReturned, c.holdBackReminded),
    added: newcombeDifference(c.holdBackRemindedReturned, c.holdBackReminded, c.heldBackReturned, c.heldBack),
  };
}

/**
 * The monthly summary email: a short paragraph, bars, a table of this month against the one before, the hold-back
 * comparison when there is one, and the rules the numbers follow; HTML that holds at phone width, and plain text.
 */
export function composeSummary(input: {
  month: string;
  counters: MonthlyCounters;
  previous?: MonthlyCounters;
  rules: Rules;
  locale?: string;
}): {
  subject: string;
  paragraph: string;
  html: string;
  text: string;
} {
  const { counters: c, previous: p, rules } = input;
  const locale = input.locale ?? 'en-US';
  const count = (n: number) => n.toLocaleString(locale);
  const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
  const percent = (fraction: number) =>
    `${(fraction * 100).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
  const monthName = (month: string) =>
    DateTime.fromFormat(month, 'yyyy-MM', { zone: rules.store.timeZone, locale }).toFormat('LLLL yyyy');
  const thisMonth = monthName(input.month);
  const lastMonthShort = DateTime.fromFormat(monthBefore(input.month), 'yyyy-MM', { locale }).toFormat('LLLL');
  const thisMonthShort = DateTime.fromFormat(input.month, 'yyyy-MM', { locale }).toFormat('LLLL');
  const reminders = (x: MonthlyCounters) => x.remindersFirst + x.remindersSecond;
  const rate = (x: MonthlyCounters) => (x.remindersFirst > 0 ? percent(x.recovered / x.remindersFirst) : '–');
  const money = (x: MonthlyCounters, currency: string) =>
    formatMoney({ currency, minor: x.wonBack[currency] ?? 0 }, locale);
  // Money is never added across currencies: one row (and one phrase) per currency, the store's own first.
  const currencies = [
    rules.store.currency,
    ...[...new Set([...Object.keys(c.wonBack), ...Object.keys(p?.wonBack ?? {})])]
      .filter(
        (currency) =>
          currency !== rules.store.currency && ((c.wonBack[currency] ?? 0) > 0 || (p?.wonBack[currency] ?? 0) > 0),
      )
      .sort(),
  ];
  const earned = currencies.filter((currency) => (c.wonBack[currency] ?? 0) > 0);
  const wonBackText =
    earned.length > 0 ? earned.map((currency) => money(c, currency)).join(' and ') : money(c, rules.store.currency);
  const window = formatDuration(rules.giveUpAfterMinutes);

  const paragraph =
    c.cartsSeen === 0 && c.leftBehind === 0
      ? `No carts came in during ${thisMonth}, so there was nobody to remind.`
      : `In ${thisMonth}, ${plural(c.cartsSeen, 'cart')} came in at ${rules.store.name} ` +
        `and ${count(c.leftBehind)} ${c.leftBehind === 1 ? 'was' : 'were'} left behind ` +
        `(still not bought when the first reminder was due). We sent ${plural(reminders(c), 'reminder')}, ` +
        `and ${plural(c.recovered, 'cart')} ` +
        `${c.recovered === 1 ? 'was' : 'were'} bought within ${window} of a reminder the shopper got, ` +
        `bringing in ${wonBackText}.`;

  const skipped = (x: MonthlyCounters) => Object.values(x.skipped).reduce((sum, n) => sum + n, 0);
  const reasons = [...new Set([...Object.keys(c.skipped), ...Object.keys(p?.skipped ?? {})])]
    .filter((reason) => (c.skipped[reason] ?? 0) > 0 || (p?.skipped[reason] ?? 0) > 0)
    .sort();
  type Row = { label: string; now: string; before?: string; sub?: boolean };
  const row = (label: string, value: (x: MonthlyCounters) => string, sub = false): Row => ({
    label,
    now: value(c),
    ...(p ? { before: value(p) } : {}),
    sub,
  });
  const rows: Row[] = [
    row('Carts seen (bought or not)', (x) => count(x.cartsSeen)),
    row('Carts with an email address', (x) => count(x.cartsWithAddress)),
    row('Carts left behind (unbought when the first reminder was due)', (x) => count(x.leftBehind)),
    row('Reminders sent', (x) => count(reminders(x))),
    row('first reminders', (x) => count(x.remindersFirst), true),
    row('second reminders', (x) => count(x.remindersSecond), true),
    // Test mode's reminders went to the owner: counted apart, never as reminders to shoppers.
    ...((c.remindersTest ?? 0) > 0 || (p?.remindersTest ?? 0) > 0
      ? [row('Test reminders (test mode, sent to you)', (x) => count(x.remindersTest ?? 0))]
      : []),
    // Rare (a lost answer and a very late SES event), and every one is said: the shopper got that reminder twice.
    ...((c.secondCopies ?? 0) > 0 || (p?.secondCopies ?? 0) > 0
      ? [row('Reminders that reached a shopper twice (see your operator)', (x) => count(x.secondCopies ?? 0), true)]
      : []),
    row('Carts recovered', (x) => count(x.recovered)),
    row('Recovery rate (recovered ÷ first reminders)', rate),
    ...currencies.map((currency) =>
      row(currencies.length === 1 ? 'Money won back' : `Money won back (${currency})`, (x) => money(x, currency)),
    ),
    row('Unsubscribes', (x) => count(x.optOuts)),
    row('Times a reminder waited for quiet hours to end', (x) => count(x.deferredQuietHours)),
    // Only when it happened: a morning that did not fit the account's limits is something the owner must hear about.
    ...((c.releaseLate ?? 0) > 0 || (p?.releaseLate ?? 0) > 0
      ? [row('Reminders sent late: the morning did not fit the email limits', (x) => count(x.releaseLate ?? 0))]
      : []),
    row('Reminders not sent', (x) => count(skipped(x))),
    ...reasons.map((reason) =>
      row(SKIP_LABELS[reason] ?? reason.replace(/_/g, ' '), (x) => count(x.skipped[reason] ?? 0), true),
    ),
  ];

  const holdBack = readHoldBack(c);
  const holdBackOn = (rules.holdBackPercent ?? 0) > 0 || holdBack.heldBack > 0;
  const range = (e: Estimate) => `95% range ${percent(e.low)} to ${percent(e.high)}`;
  const signedOneDecimal: Intl.NumberFormatOptions = {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  };
  const points = (fraction: number) => `${(fraction * 100).toLocaleString(locale, signedOneDecimal)} points`;
  const holdBackLines: string[] = !holdBackOn
    ? []
    : holdBack.added === undefined || holdBack.natural === undefined || holdBack.remindedRate === undefined
      ? [
          `${plural(holdBack.heldBack, 'cart')} ${holdBack.heldBack === 1 ? 'was' : 'were'} held back (no reminder) ` +
            `this month: too few to tell what the reminders added. ` +
            `It takes at least ${MIN_HELD_BACK_TO_TELL} held-back carts in a month; with fewer, ` +
            `any difference could be chance.`,
        ]
      : [
          `Of ${plural(holdBack.heldBack, 'cart')} held back (no reminder), ${count(c.heldBackReturned)} came back ` +
            `and bought on their own within ${window}: ` +
            `${percent(holdBack.natural.estimate)} (${range(holdBack.natural)}).`,
          `Of ${plural(holdBack.reminded, 'cart')} reminded, ${count(c.holdBackRemindedReturned)} bought ` +
            `within ${window} of the first reminder: ` +
            `${percent(holdBack.remindedRate.estimate)} (${range(holdBack.remindedRate)}).`,
          `What the reminders added: ${points(holdBack.added.estimate)} (95% range ${points(holdBack.added.low)} ` +
            `to ${points(holdBack.added.high)}).` +
            (holdBack.added.low <= 0 && holdBack.added.high >= 0
              ? ' The range includes zero: this month cannot tell whether the reminders added anything.'
              : ''),
          "Ranges: Wilson's score interval for each rate, " +
            "Newcombe's hybrid score interval for the difference, both at 95%.",
        ];

  const bars: Array<[string, number, string]> = [
    ['Seen', c.cartsSeen, '#9aa5b1'],
    ['Left behind', c.leftBehind, '#c27c0e'],
    ['Reminded', c.remindersFirst, '#4a6fa5'],
    ['Recovered', c.recovered, '#2f855a'],
  ];
  const max = Math.max(1, ...bars.map(([, n]) => n));
  const subject = `Your cart reminders in ${thisMonth}: ${plural(c.recovered, 'cart')} recovered`;
  const rule = recoveredRule(rules);
  const definitions =
    'Carts count in the month they first came in; reminders, skips and unsubscribes in the month they happened; ' +
    'recoveries in the month of the checkout. ' +
    'A cart whose first reminder was not sent gets no second one: a follow-up is never the only email a shopper ' +
    'gets; it is given up instead.' +
    (p ? ` ${lastMonthShort}'s figures are beside each one, for comparison.` : '');

  const text = [
    paragraph,
    '',
    ...rows.map(({ label, now, before, sub }) => {
      const lastMonth = before === undefined ? '' : `   (${lastMonthShort}: ${before})`;
      return `${`${sub ? '  ' : ''}${label}`.padEnd(62)} ${now.padStart(12)}${lastMonth}`;
    }),
    '',
    ...bars.map(([label, n]) => `${label.padEnd(12)} ${'#'.repeat(Math.round((n / max) * 30)).padEnd(30)} ${count(n)}`),
    ...(holdBackLines.length > 0 ? ['', 'What the reminders added (your hold-back)', ...holdBackLines] : []),
    '',
    rule,
    definitions,
  ].join('\n');

  const barRows = bars
    .map(([label, n, colour]) => {
      const width = Math.max(1, Math.round((n / max) * 100));
      return `<tr><td style="padding:4px 8px 4px 0;font-size:13px;color:#555;width:84px">${label}</td>
<td style="padding:4px 0"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
<td width="${width}%" style="background:${colour};height:14px;font-size:0;line-height:0">&nbsp;</td>
${width < 100 ? `<td width="${100 - width}%" style="font-size:0;line-height:0">&nbsp;</td>` : ''}</tr></table></td>
<td style="padding:4px 0 4px 8px;font-size:13px;text-align:right;width:56px">${count(n)}</td></tr>`;
    })
    .join('\n');
  const cell = 'padding:6px 0;border-bottom:1px solid #eee;vertical-align:top';
  const header = p
    ? `<tr><td style="${cell};color:#666;font-size:12px"></td><td ` +
      `style="${cell};text-align:right;color:#666;font-size:12px;padding-left:8px">${escapeHtml(thisMonthShort)}</td>` +
      `<td style="${cell};text-align:right;color:#666;font-size:12px;padding-left:8px">` +
      `${escapeHtml(lastMonthShort)}</td></tr>\n`
    : '';
  const tableRows =
    header +
    rows
      .map(
        ({ label, now, before, sub }) =>
          `<tr><td style="${cell};${sub ? 'padding-left:16px;color:#666;' : ''}">${escapeHtml(label)}</td>` +
          `<td style="${cell};text-align:right;padding-left:8px;white-space:nowrap">${escapeHtml(now)}</td>` +
          (before === undefined
            ? ''
            : `<td style="${cell};text-align:right;padding-left:8px;white-space:nowrap;color:#666">` +
              `${escapeHtml(before)}</td>`) +
          '</tr>',
      )
      .join('\n');
  const holdBackHtml =
    holdBackLines.length === 0
      ? ''
      : `<tr><td style="padding:8px 24px 0"><h2 style="margin:0 0 8px;font-size:16px">` +
        `What the reminders added (your hold-back)</h2>` +
        holdBackLines
          .map((line) => `<p style="margin:0 0 8px;font-size:14px;line-height:1.5">${escapeHtml(line)}</p>`)
          .join('') +
        '</td></tr>';
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" ` +
    `content="width=device-width,initial-scale=1"></head>
<body style="margin:0;padding:0;background:#f4f4f1">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f1"><tr><td ` +
    `align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" ` +
    `style="max-width:560px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;color:#222">
<tr><td style="padding:28px 24px 8px"><h1 style="margin:0 0 ` +
    `12px;font-size:20px">${escapeHtml(rules.store.name)}: ${escapeHtml(thisMonth)}</h1>
<p style="margin:0;font-size:15px;line-height:1.5">${escapeHtml(paragraph)}</p></td></tr>
<tr><td style="padding:16px 24px"><table role="presentation" width="100%" cellpadding="0" ` +
    `cellspacing="0">${barRows}</table></td></tr>
<tr><td style="padding:0 24px 8px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" ` +
    `style="font-size:14px">${tableRows}</table></td></tr>
${holdBackHtml}
<tr><td style="padding:12px 24px ` +
    `24px;font-size:12px;color:#666;line-height:1.5">${escapeHtml(rule)}<br>${escapeHtml(definitions)}</td></tr>
</table></td></tr></table></body></html>`;
  return { subject, paragraph, html, text };
}
