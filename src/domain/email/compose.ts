import type { CartItem, CartRow } from '../cart/cart';
import { CART_BOUNDS } from '../cart/bounds';
import { formatMoney, type Money } from '../cart/money';
import type { Rules } from '../owner-docs/rules';
import { type EmailWords, emailWordsOf, type Voice } from '../owner-docs/voice';
import type { ReminderStep } from '../cart/reminder-step';
import { greetingFor } from './greeting';
import { escapeHtml } from './html';
import { cleanTitle, fillTemplate, templateValues } from './template';

/**
 * Builds the reminder email: subject, an HTML part that reads well on a phone and in desktop clients (tables and
 * inline styles only, no external CSS, no script), and a plain-text part with the same content.
 *
 * Every piece of shopper or store data is HTML-escaped, and only http(s) URLs become links or images.
 */

/** Why an email could not be composed; the sender logs it as a skip rather than shipping a broken reminder. */
export type ComposeErrorCode = 'no_return_link' | 'empty_cart' | 'bad_unsubscribe_link';

/** Raised when the cart cannot make a reminder that keeps the product's promise (items, return link, opt-out). */
export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  constructor(
    readonly code: ComposeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What one reminder is made from. */
export interface ComposeInput {
  readonly cart: Pick<CartRow, 'items' | 'moreItems' | 'total' | 'firstName' | 'savedLink' | 'returnUrl'> &
    Partial<Pick<CartRow, 'source'>>;
  readonly step: ReminderStep;
  readonly voice: Voice;
  readonly store: Rules['store'];
  /** "Hi Sam" or "Hi there"; by default {@link greetingFor} the cart's first name in the voice's own words. */
  readonly greeting?: string;
  /** Footer link to the unsubscribe confirmation page (the GET side of the one-click link). */
  readonly unsubscribeUrl: string;
  /** The model's polished opening, already validated; when absent the filled template opening is used. */
  readonly openingLine?: string;
  /** Locale for money formatting; the voice's language ("en-US" unless its "Email words" say otherwise) by default. */
  readonly locale?: string;
  /**
   * Test mode: the address the reminder would have gone to. The email is marked as a test (subject and a note at the
   * top) and goes to the owner instead.
   */
  readonly testFor?: string;
}

/** A reminder ready for the mail adapter. */
export interface ComposedEmail {
  /** One line, no control characters. */
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The filled template opening: the fallback, and what the model was asked to polish. */
  readonly plainOpening: string;
  /** The opening actually in the email (the polished line, or `plainOpening`). */
  readonly openingUsed: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif";
const INK = '#1f2937';
const MUTED = '#6b7280';
const RULE = '#e5e7eb';
const THUMB_PX = 64;

/**
 * Composes one reminder.
 *
 * A cart without a usable http(s) return link is refused with {@link ComposeError} `no_return_link`: the promise is
 * "one tap takes you back to your cart", and a reminder that cannot do that is just a nag, so the caller logs a skip.
 * An empty cart (`empty_cart`) and an unusable unsubscribe URL (`bad_unsubscribe_link`) are refused the same way. A
 * Stripe cart whose line items Stripe could not give us has no items but a total: it is reminded with the total
 * alone, rather than not at all.
 *
 * @throws {@link ComposeError}, or a TemplateError for a voice template that cannot be filled.
 */
export function composeReminder(input: ComposeInput): ComposedEmail {
  const { cart, step, voice, store } = input;
  const words = emailWordsOf(voice);
  const greeting = input.greeting ?? greetingFor(cart.firstName, words);
  const locale = input.locale ?? words.language;
  const totalOnly = cart.items.length === 0 && cart.source === 'stripe' && cart.total.minor > 0;
  if (cart.items.length === 0 && !totalOnly) throw new ComposeError('empty_cart', 'cart has no items to remind about');
  const returnUrl = safeHttpUrl(cart.returnUrl);
  if (returnUrl === undefined) throw new ComposeError('no_return_link', 'cart has no http(s) link back to it');
  const unsubscribeUrl = safeHttpUrl(input.unsubscribeUrl);
  if (unsubscribeUrl === undefined) throw new ComposeError('bad_unsubscribe_link', 'unsubscribe URL is not http(s)');

  const template = voice.templates[step];
  const wording = cart.savedLink ? voice.savedLink[step] : template;
  const values = templateValues({ cart, greeting, storeName: store.name, locale, words });
  const plainOpening = oneLine(fillTemplate(wording.opening, values));
  const polished = input.openingLine === undefined ? '' : oneLine(input.openingLine);
  const opening = polished === '' ? plainOpening : polished;
  const subject = oneLine(fillTemplate(wording.subject, values));
  const content: EmailContent = {
    subject: input.testFor === undefined ? subject : `[Test] ${subject}`,
    testNote: input.testFor === undefined ? undefined : testNote(input.testFor),
    // A template opening may already start with the greeting ("{greeting}, one last nudge"); never greet twice.
    greetingLine: startsWithGreeting(opening, greeting) ? undefined : `${greeting},`,
    opening,
    paragraphs: paragraphsOf(fillTemplate(template.body, values)),
    // What fits: the first lines, and how many more the cart has (those not shown, and those not kept).
    lines: cart.items.slice(0, CART_BOUNDS.emailItems).map((item) => lineOf(item, cart.total.currency, locale)),
    moreLines: Math.max(0, cart.items.length - CART_BOUNDS.emailItems) + (cart.moreItems ?? 0),
    total: formatMoney(cart.total, locale),
    button: oneLine(fillTemplate(template.button, values)),
    returnUrl,
    unsubscribeUrl,
    store,
    words,
    lang: locale.split('-')[0] ?? 'en',
  };

  return {
    subject: content.subject,
    html: renderHtml(content),
    text: renderText(content),
    plainOpening,
    openingUsed: content.opening,
  };
}

/** The URL in canonical form when it is an absolute http(s) URL without credentials; otherwise undefined. */
export function safeHttpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

interface ItemLine {
  readonly title: string;
  readonly quantity: number;
  readonly price: string;
  readonly imageUrl: string | undefined;
}

interface EmailContent {
  readonly subject: string;
  /** Test mode only: who the reminder would have gone to, shown above everything else. */
  readonly testNote: string | undefined;
  readonly greetingLine: string | undefined;
  readonly opening: string;
  readonly paragraphs: readonly string[];
  readonly lines: readonly ItemLine[];
  /** Line items the email does not list: "and K more" under the listed ones. */
  readonly moreLines: number;
  readonly total: string;
  readonly button: string;
  readonly returnUrl: string;
  readonly unsubscribeUrl: string;
  readonly store: Rules['store'];
  readonly words: EmailWords;
  readonly lang: string;
}

/** "and 4,990 more", in the voice's words. */
function andMore(content: Pick<EmailContent, 'moreLines' | 'words' | 'lang'>): string {
  const count = content.moreLines.toLocaleString(content.words.language);
  return `${content.words.and} ${content.words.more.replace('{count}', count)}`;
}

function lineOf(item: CartItem, currency: string, locale: string): ItemLine {
  const linePrice: Money = { minor: item.unitPrice * item.quantity, currency };
  return {
    title: cleanTitle(item.title, Number.POSITIVE_INFINITY),
    quantity: item.quantity,
    price: formatMoney(linePrice, locale),
    imageUrl: safeHttpUrl(item.imageUrl),
  };
}

/** Headers and single lines must not carry newlines or control characters (header injection, broken layout). */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\s]+/gu, ' ').trim();
}

function paragraphsOf(body: string): string[] {
  return body
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.split(/\r?\n/).map(oneLine).filter(Boolean).join('\n'))
    .filter(Boolean);
}

function startsWithGreeting(opening: string, greeting: string): boolean {
  return greeting.trim() !== '' && opening.toLowerCase().startsWith(greeting.trim().toLowerCase());
}

function why(content: Pick<EmailContent, 'store' | 'words'>): string {
  // A function replacement, so a "$" in the store name is never read as a replacement pattern.
  return content.words.why.replace('{store_name}', () => content.store.name);
}

/** The test-mode note, in English: only the owner ever reads a test reminder. */
function testNote(wouldHaveGoneTo: string): string {
  return (
    `TEST: test mode is on in your rules doc. This reminder would have gone to ${wouldHaveGoneTo}; it came to ` +
    `you instead, and no shopper got it. The unsubscribe link below is the shopper's: do not click it.`
  );
}

function addressLines(store: Rules['store']): string[] {
  return store.postalAddress.split(/\r?\n/).map(oneLine).filter(Boolean);
}

// ---------------------------------------------------------------- plain text

function renderText(content: EmailContent): string {
  const items = content.lines.map((line) => {
    const quantity = line.quantity > 1 ? ` ×${line.quantity}` : '';
    return `- ${line.title}${quantity}: ${line.price}`;
  });
  const blocks = [
    content.testNote,
    content.greetingLine,
    content.opening,
    ...content.paragraphs,
    [
      `${content.words.yourCart}:`,
      ...items,
      ...(content.moreLines > 0 ? [`- ${andMore(content)}`] : []),
      `${content.words.total}: ${content.total}`,
    ].join('\n'),
    `${content.button}: ${content.returnUrl}`,
    [
      '--',
      content.store.name,
      ...addressLines(content.store),
      why(content),
      `${content.words.unsubscribe}: ${content.unsubscribeUrl}`,
    ].join('\n'),
  ];
  return `${blocks.filter((block): block is string => block !== undefined).join('\n\n')}\n`;
}

// ---------------------------------------------------------------- HTML

function renderHtml(content: EmailContent): string {
  const e = escapeHtml;
  const text = `font-family:${FONT};font-size:16px;line-height:24px;color:${INK};`;
  const paragraph = (html: string): string => `<p style="margin:0 0 16px;${text}">${html}</p>`;
  const intro = [
    content.testNote === undefined
      ? ''
      : `<p style="margin:0 0 16px;padding:10px 12px;background-color:#fef3c7;border:1px solid #f59e0b;` +
        `border-radius:6px;${text}">${e(content.testNote)}</p>`,
    content.greetingLine === undefined ? '' : paragraph(e(content.greetingLine)),
    paragraph(e(content.opening)),
    ...content.paragraphs.map((body) => paragraph(e(body).replace(/\n/g, '<br>'))),
  ].join('');

  return [
    '<!DOCTYPE html>',
    `<html lang="${e(content.lang)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="x-apple-disable-message-reformatting">',
    `<title>${e(content.subject)}</title></head>`,
    `<body style="margin:0;padding:0;background-color:#f4f4f2;">`,
    // Inbox preview text; hidden in the body itself.
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${e(content.opening)}</div>`,
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ' +
      'style="background-color:#f4f4f2;">',
    '<tr><td align="center" style="padding:24px 12px;">',
    // Outlook for Windows ignores max-width; a fixed-width ghost table keeps it from stretching.
    '<!--[if mso]><table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0">' +
      '<tr><td><![endif]-->',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ' +
      'style="max-width:560px;background-color:#ffffff;border-radius:8px;">',
    `<tr><td style="padding:28px 24px 4px;">${intro}</td></tr>`,
    `<tr><td style="padding:0 24px;">${itemsTableHtml(content)}</td></tr>`,
    `<tr><td align="center" style="padding:24px 24px 28px;">${buttonHtml(content)}</td></tr>`,
    `<tr><td style="padding:20px 24px 28px;border-top:1px solid ${RULE};">${footerHtml(content)}</td></tr>`,
    '</table>',
    '<!--[if mso]></td></tr></table><![endif]-->',
    '</td></tr></table>',
    '</body></html>',
  ].join('\n');
}

function itemsTableHtml(content: EmailContent): string {
  const e = escapeHtml;
  const withThumbs = content.lines.some((line) => line.imageUrl !== undefined);
  const cell = `font-family:${FONT};font-size:15px;line-height:22px;color:${INK};border-top:1px solid ${RULE};`;
  const rows = content.lines.map((line) => {
    const thumb = !withThumbs
      ? ''
      : `<td width="${THUMB_PX}" style="${cell}padding:12px 12px 12px 0;vertical-align:top;">${
          line.imageUrl === undefined
            ? ''
            : `<img src="${e(line.imageUrl)}" width="${THUMB_PX}" height="${THUMB_PX}" alt="${e(line.title)}" ` +
              `style="display:block;width:${THUMB_PX}px;height:${THUMB_PX}px;border:0;` +
              `border-radius:4px;object-fit:cover;">`
        }</td>`;
    return [
      '<tr>',
      thumb,
      `<td style="${cell}padding:12px 0;vertical-align:top;"><div style="font-weight:600;">${e(line.title)}</div>`,
      `<div style="font-size:14px;color:${MUTED};">` +
        `${e(content.words.quantity)}: ${e(String(line.quantity))}</div></td>`,
      `<td align="right" style="${cell}padding:12px 0 12px 12px;vertical-align:top;white-space:nowrap;">` +
        `${e(line.price)}</td>`,
      '</tr>',
    ].join('');
  });
  const span = withThumbs ? 2 : 1;
  if (content.moreLines > 0) {
    rows.push(
      `<tr><td colspan="${span + 1}" style="${cell}padding:12px 0;color:${MUTED};">${e(andMore(content))}</td></tr>`,
    );
  }
  const totalCell =
    `font-family:${FONT};font-size:16px;line-height:24px;color:${INK};font-weight:700;` +
    `border-top:2px solid ${INK};padding:12px 0 0;`;
  const total =
    `<tr><td colspan="${span}" style="${totalCell}">${e(content.words.total)}</td><td align="right" ` +
    `style="${totalCell}white-space:nowrap;">${e(content.total)}</td></tr>`;
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">` +
    `${rows.join('')}${total}</table>`
  );
}

function buttonHtml(content: EmailContent): string {
  const e = escapeHtml;
  // A "bulletproof" button: the coloured cell shows even where clients drop padding on links.
  return [
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="center">',
    `<tr><td align="center" bgcolor="${INK}" style="border-radius:6px;background-color:${INK};">`,
    `<a href="${e(content.returnUrl)}" target="_blank" ` +
      `style="display:inline-block;padding:14px 32px;font-family:${FONT};font-size:17px;font-weight:700;` +
      `line-height:22px;color:#ffffff;text-decoration:none;border-radius:6px;">${e(content.button)}</a>`,
    '</td></tr></table>',
  ].join('');
}

function footerHtml(content: EmailContent): string {
  const e = escapeHtml;
  const small = `margin:0 0 8px;font-family:${FONT};font-size:13px;line-height:20px;color:${MUTED};`;
  const address = addressLines(content.store).map(e).join('<br>');
  return [
    `<p style="${small}"><strong>${e(content.store.name)}</strong><br>${address}</p>`,
    `<p style="${small}">${e(why(content))}</p>`,
    `<p style="${small}">${e(content.words.unsubscribePrompt)} <a href="${e(content.unsubscribeUrl)}" ` +
      `target="_blank" style="color:${MUTED};text-decoration:underline;">${e(content.words.unsubscribe)}</a></p>`,
  ].join('');
}
