import type { CartItem, CartRow } from '../cart/cart';
import { formatMoney } from '../cart/money';
import {
  DEFAULT_EMAIL_WORDS,
  type EmailWords,
  TEMPLATE_PLACEHOLDERS,
  type TemplatePlaceholder,
} from '../owner-docs/voice';

/** Raised when a voice template cannot be filled; the message names the template text and what was wrong. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const KNOWN = new Set<string>(TEMPLATE_PLACEHOLDERS);
/** A `{name}` placeholder, or a lone brace that opens or closes nothing. */
const TOKEN = /\{([^{}]*)\}|[{}]/g;
/** Items listed by name before the summary switches to "and N more". */
const MAX_NAMED_ITEMS = 3;
/** When more than MAX_NAMED_ITEMS lines, this many are named and the rest counted. */
const NAMED_BEFORE_MORE = 2;
const MAX_TITLE_LENGTH = 60;

function isPlaceholder(name: string): name is TemplatePlaceholder {
  return KNOWN.has(name);
}

/**
 * Replaces every `{placeholder}` in `text` in one pass (so braces inside values are never expanded again).
 *
 * @throws {@link TemplateError} for an unknown placeholder, a stray brace, or a blank value: a shopper must never
 * see "Hi ," or a literal "{frist_name}".
 */
export function fillTemplate(text: string, values: Record<TemplatePlaceholder, string>): string {
  return text.replace(TOKEN, (token, name: string | undefined) => {
    if (name === undefined) throw new TemplateError(`stray "${token}" in template "${text}"`);
    if (!isPlaceholder(name)) {
      throw new TemplateError(
        `unknown placeholder {${name}} in template "${text}"; known: ${TEMPLATE_PLACEHOLDERS.join(', ')}`,
      );
    }
    const value = values[name];
    if (value.trim() === '') throw new TemplateError(`placeholder {${name}} has no value for template "${text}"`);
    return value;
  });
}

/** One item as a shopper reads it: "Linen shirt", or "Candle ×2" when more than one. */
export function itemLabel(item: Pick<CartItem, 'title' | 'quantity'>): string {
  const title = cleanTitle(item.title);
  return item.quantity > 1 ? `${title} ×${item.quantity}` : title;
}

/**
 * The cart's items as one natural-English phrase for a sentence.
 *
 * Rule: quantities are a "×N" suffix, because pluralising arbitrary product titles ("2 Pair of socks") goes wrong;
 * up to three lines are all named ("Linen shirt, Candle ×2 and Tote"); beyond that the first two are named and the
 * rest counted ("Linen shirt, Candle ×2 and 3 more"), keeping subject lines and the opening short. An empty cart
 * reads "your items" so a template never shows a blank.
 */
export function itemsSummary(
  items: readonly Pick<CartItem, 'title' | 'quantity'>[],
  words: Pick<EmailWords, 'and' | 'more' | 'yourItems'> = DEFAULT_EMAIL_WORDS,
  /** Line items beyond `items` (a cart kept bounded): always counted, never named. */
  moreItems = 0,
): string {
  const labels = items.map(itemLabel);
  if (labels.length === 0) return words.yourItems;
  if (labels.length > MAX_NAMED_ITEMS || moreItems > 0) {
    const named = labels.slice(0, NAMED_BEFORE_MORE);
    const more = words.more.replace('{count}', String(labels.length - named.length + moreItems));
    return `${named.join(', ')} ${words.and} ${more}`;
  }
  return joinNaturally(labels, words.and);
}

/** What a template placeholder may be filled from. */
export interface TemplateValueInput {
  readonly cart: Pick<CartRow, 'firstName' | 'items' | 'total' | 'moreItems'>;
  /** "Hi Sam" or "Hi there", as the gates decided. */
  readonly greeting: string;
  readonly storeName: string;
  /** Locale for money ("en-US" by default). */
  readonly locale?: string;
  /** The voice's fixed words ("and", "more", "your items" in {items_summary}); English by default. */
  readonly words?: EmailWords;
}

/**
 * Values for every placeholder. `{first_name}` falls back to "there" so that "Hi {first_name}" still reads
 * "Hi there"; `{item_count}` counts units (a cart with Candle ×2 and a Tote has 3 items).
 */
export function templateValues(input: TemplateValueInput): Record<TemplatePlaceholder, string> {
  const { cart, greeting, storeName, locale, words = DEFAULT_EMAIL_WORDS } = input;
  const firstName = cart.firstName?.trim().replace(/\s+/g, ' ');
  return {
    first_name: firstName ? firstName : 'there',
    greeting,
    store_name: storeName,
    // Items not kept (a bounded cart) count once each: at least that many.
    item_count: String(
      cart.items.reduce((count, item) => count + Math.max(item.quantity, 0), 0) + (cart.moreItems ?? 0),
    ),
    items_summary: itemsSummary(cart.items, words, cart.moreItems ?? 0),
    total: formatMoney(cart.total, locale),
  };
}

/**
 * Collapses whitespace (titles may carry newlines from a storefront) and shortens titles longer than `maxLength`
 * (60 by default, for sentences; the items table passes `Infinity`). A blank title reads "Item".
 */
export function cleanTitle(title: string, maxLength = MAX_TITLE_LENGTH): string {
  const clean = title.replace(/\s+/g, ' ').trim();
  if (clean === '') return 'Item';
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1).trimEnd()}…` : clean;
}

function joinNaturally(parts: readonly string[], and: string): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} ${and} ${parts[parts.length - 1]}`;
}
