import { DateTime } from 'luxon';
import { escapeHtml } from '../email/compose';
import { formatDuration } from '../owner-docs/doc-text';
import { formatMoney } from '../cart/money';
import type { Rules } from '../owner-docs/rules';

/**
 * What the monthly summary counts, kept as counters that grow as things happen (so the summary costs one read
 * whether the store had a hundred carts or a million). Money won back is kept per currency, in minor units.
 */
export interface MonthlyCounters {
  /** Carts first seen this month. */
  readonly cartsSeen: number;
  /** Of those, carts that gave an email (the only ones that can be reminded). */
  readonly cartsWithAddress: number;
  readonly remindersFirst: number;
  readonly remindersSecond: number;
  /** Checkouts this month that count as recovered (the rule is printed in the email). */
  readonly recovered: number;
  readonly wonBack: Readonly<Record<string, number>>;
  readonly optOuts: number;
  readonly deferredQuietHours: number;
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
}

export const EMPTY_COUNTERS: MonthlyCounters = {
  cartsSeen: 0,
  cartsWithAddress: 0,
  remindersFirst: 0,
  remindersSecond: 0,
  recovered: 0,
  wonBack: {},
  optOuts: 0,
  deferredQuietHours: 0,
  skipped: {},
  heldBack: 0,
  heldBackReturned: 0,
  holdBackReminded: 0,
  holdBackRemindedReturned: 0,
};

/** The counters that are plain counts (not kept per reason or per currency). */
export const SIMPLE_COUNTERS = [
  'cartsSeen',
  'cartsWithAddress',
  'remindersFirst',
  'remindersSecond',
  'recovered',
  'optOuts',
  'deferredQuietHours',
  'heldBack',
  'heldBackReturned',
  'holdBackReminded',
  'holdBackRemindedReturned',
] as const;

/** One increment to the month's counters. */
export type CounterIncrement =
  | { readonly counter: Exclude<(typeof SIMPLE_COUNTERS)[number], 'recovered'> }
  | { readonly counter: 'recovered'; readonly currency: string; readonly minor: number }
  | { readonly counter: 'skipped'; readonly reason: string };

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
  return `A cart counts as recovered when it is checked out after at least one reminder and within ${formatDuration(rules.giveUpAfterMinutes)} of the last reminder.`;
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
};

/** The monthly summary email: a short paragraph, a small table, bars that render in common email clients, and text. */
export function composeSummary(input: { month: string; counters: MonthlyCounters; rules: Rules; locale?: string }): {
  subject: string;
  paragraph: string;
  html: string;
  text: string;
} {
  const { counters: c, rules } = input;
  const count = (n: number) => n.toLocaleString(input.locale ?? 'en-US');
  const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
  const monthName = DateTime.fromFormat(input.month, 'yyyy-MM', { zone: rules.store.timeZone, locale: input.locale ?? 'en-US' }).toFormat('LLLL yyyy');
  const reminders = c.remindersFirst + c.remindersSecond;
  const money = Object.entries(c.wonBack)
    .filter(([, minor]) => minor > 0)
    .map(([currency, minor]) => formatMoney({ currency, minor }, input.locale));
  const wonBack = money.length > 0 ? money.join(' + ') : formatMoney({ currency: rules.store.currency, minor: 0 }, input.locale);
  const paragraph =
    c.cartsSeen === 0
      ? `No carts came in during ${monthName}, so there was nobody to remind.`
      : `In ${monthName}, ${plural(c.cartsSeen, 'cart')} ${c.cartsSeen === 1 ? 'was' : 'were'} left behind at ${rules.store.name}, ` +
        `${count(c.cartsWithAddress)} with an email address. We sent ${plural(reminders, 'reminder')}, and ${plural(c.recovered, 'cart')} ` +
        `came back and checked out, bringing in ${wonBack}.`;
  const skippedTotal = Object.values(c.skipped).reduce((sum, n) => sum + n, 0);
  const rows: Array<[string, string]> = [
    ['Carts seen', count(c.cartsSeen)],
    ['Carts with an email address', count(c.cartsWithAddress)],
    ['Reminders sent (first / second)', `${count(reminders)} (${count(c.remindersFirst)} / ${count(c.remindersSecond)})`],
    ['Carts recovered', count(c.recovered)],
    ['Money won back', wonBack],
    ['Unsubscribes', count(c.optOuts)],
    ['Held for quiet hours, then sent later', count(c.deferredQuietHours)],
    ['Sends skipped', count(skippedTotal)],
    ...Object.entries(c.skipped)
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]): [string, string] => [`  ${SKIP_LABELS[reason] ?? reason.replace(/_/g, ' ')}`, count(n)]),
  ];
  const bars: Array<[string, number, string]> = [
    ['Seen', c.cartsSeen, '#9aa5b1'],
    ['Reminded', c.remindersFirst, '#4a6fa5'],
    ['Recovered', c.recovered, '#2f855a'],
  ];
  const max = Math.max(1, ...bars.map(([, n]) => n));
  const subject = `Your cart reminders in ${monthName}: ${plural(c.recovered, 'cart')} recovered`;
  const rule = recoveredRule(rules);

  const text = [
    paragraph,
    '',
    ...rows.map(([label, value]) => `${label.padEnd(40)} ${value}`),
    '',
    ...bars.map(([label, n]) => `${label.padEnd(10)} ${'#'.repeat(Math.round((n / max) * 30)).padEnd(30)} ${count(n)}`),
    '',
    rule,
  ].join('\n');

  const barRows = bars
    .map(([label, n, colour]) => {
      const width = Math.max(1, Math.round((n / max) * 100));
      return `<tr><td style="padding:4px 8px 4px 0;font-size:13px;color:#555;width:80px">${label}</td>
<td style="padding:4px 0"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
<td width="${width}%" style="background:${colour};height:14px;font-size:0;line-height:0">&nbsp;</td>
${width < 100 ? `<td width="${100 - width}%" style="font-size:0;line-height:0">&nbsp;</td>` : ''}</tr></table></td>
<td style="padding:4px 0 4px 8px;font-size:13px;text-align:right;width:56px">${count(n)}</td></tr>`;
    })
    .join('\n');
  const tableRows = rows
    .map(
      ([label, value]) =>
        `<tr><td style="padding:6px 0;border-bottom:1px solid #eee;${label.startsWith('  ') ? 'padding-left:16px;color:#666;' : ''}">${escapeHtml(label.trim())}</td>` +
        `<td style="padding:6px 0;border-bottom:1px solid #eee;text-align:right">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="margin:0;padding:0;background:#f4f4f1">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f1"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;color:#222">
<tr><td style="padding:28px 24px 8px"><h1 style="margin:0 0 12px;font-size:20px">${escapeHtml(rules.store.name)}: ${escapeHtml(monthName)}</h1>
<p style="margin:0;font-size:15px;line-height:1.5">${escapeHtml(paragraph)}</p></td></tr>
<tr><td style="padding:16px 24px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">${barRows}</table></td></tr>
<tr><td style="padding:0 24px 8px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="font-size:14px">${tableRows}</table></td></tr>
<tr><td style="padding:12px 24px 24px;font-size:12px;color:#666;line-height:1.5">${escapeHtml(rule)}</td></tr>
</table></td></tr></table></body></html>`;
  return { subject, paragraph, html, text };
}
