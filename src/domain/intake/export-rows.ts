/**
 * The nightly export lane: some storefronts cannot send webhooks but can export the day's carts into a Google
 * Sheet (the one sheet whose ID the deploy was given; a CSV file locally). This module turns those rows into the same
 * cart events the webhooks produce, so they go through the same intake (idempotent, newest event time wins, checkouts
 * final).
 *
 * Columns (first non-blank row is the header; names compare without case, spaces or punctuation, so "Cart ID",
 * "cart_id" and "cartid" are the same; unknown columns are ignored). See docs/drive-export.md for the owner's view.
 *
 * | column              | required | value                                                                  |
 * |---------------------|----------|------------------------------------------------------------------------|
 * | `cart id`           | yes      | 1-128 letters, digits or `. _ : @ -`                                    |
 * | `updated at`        | yes      | ISO 8601 with offset (`2026-11-02T15:04:00-06:00`, `...Z`), or a local  |
 * |                     |          | `2026-11-02 15:04` read in the row's `time zone`                         |
 * | `total`             | yes      | decimal in the row's currency (`120.00`; `1,200.00`; `$120.00` if `$`   |
 * |                     |          | is that currency's symbol); blank allowed on checked-out rows           |
 * | `email`             | no       | lower-cased                                                             |
 * | `first name`        | no       |                                                                         |
 * | `items`             | no       | `Linen shirt x1 @ 60.00; Candle x2 @ 20.00` (see {@link parseItems})    |
 * | `currency`          | no       | ISO 4217; blank means the store currency                                |
 * | `return url`        | no       | http(s) only                                                            |
 * | `status`            | no       | `open` (default) or `checked out`                                       |
 * | `time zone`         | no       | IANA zone, e.g. `America/Chicago`                                       |
 * | `saved link`        | no       | yes/no (blank: no, unless the return url carries `?cr_saved=1`)         |
 * | `marketing consent` | no       | yes/no/blank (blank: unknown)                                           |
 */
import { DateTime, IANAZone } from 'luxon';
import * as z from 'zod';
import type { CartChangedEvent, CartItem, CartSnapshot, CheckedOutEvent } from '../cart/cart';
import { FUTURE_SKEW_MINUTES, normaliseEmail } from '../cart/cart';
import type { DocProblem } from '../owner-docs/doc-text';
import { parseYesNo, quote } from '../owner-docs/doc-text';
import { type Money, MoneyError, normaliseCurrency, parseMoney } from '../cart/money';
import { hasSavedLinkMarker } from '../cart/saved-link';

/** One event read from the export, with the sheet row it came from (1-based, the number the owner sees). */
export interface ExportRowEvent {
  readonly row: number;
  readonly event: CartChangedEvent | CheckedOutEvent;
}

/** Events from the good rows and one problem per bad row (or one for the header, when it is unusable). */
export interface ExportRowsResult {
  readonly events: ExportRowEvent[];
  readonly problems: DocProblem[];
}

/** What the parser needs to know about the store. */
export interface ExportRowsOptions {
  /** ISO 4217 code used when a row leaves `currency` blank. */
  readonly storeCurrency: string;
  /** The event source; only the sheet lane exists today (a CSV file is a sheet that arrived as text). */
  readonly source?: 'sheet';
  /**
   * The store's clock at import time. A row dated more than {@link FUTURE_SKEW_MINUTES} ahead of it is refused, as the
   * webhook lanes refuse such an event: one typo (2999 for 2026) would otherwise stay the cart's newest event and
   * freeze it.
   */
  readonly now: Date;
}

type ColumnId =
  | 'cartId'
  | 'updatedAt'
  | 'email'
  | 'firstName'
  | 'items'
  | 'total'
  | 'currency'
  | 'returnUrl'
  | 'status'
  | 'timeZone'
  | 'savedLink'
  | 'marketingConsent';

interface ColumnSpec {
  readonly id: ColumnId;
  /** The name as documented and as messages quote it. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly required: boolean;
}

/** The columns the export understands, in documentation order. */
export const EXPORT_COLUMNS: readonly ColumnSpec[] = [
  { id: 'cartId', name: 'cart id', aliases: ['cart'], required: true },
  { id: 'updatedAt', name: 'updated at', aliases: ['updated', 'last updated', 'time'], required: true },
  { id: 'total', name: 'total', aliases: ['cart total'], required: true },
  { id: 'email', name: 'email', aliases: ['email address'], required: false },
  { id: 'firstName', name: 'first name', aliases: [], required: false },
  { id: 'items', name: 'items', aliases: ['products'], required: false },
  { id: 'currency', name: 'currency', aliases: [], required: false },
  { id: 'returnUrl', name: 'return url', aliases: ['cart url', 'cart link', 'return link'], required: false },
  { id: 'status', name: 'status', aliases: [], required: false },
  { id: 'timeZone', name: 'time zone', aliases: ['tz'], required: false },
  { id: 'savedLink', name: 'saved link', aliases: [], required: false },
  { id: 'marketingConsent', name: 'marketing consent', aliases: ['accepts marketing'], required: false },
];

/** "Cart ID", "cart_id", "CartId" and " cart id " all become "cartid". */
function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const COLUMN_BY_KEY = new Map<string, ColumnSpec>(
  EXPORT_COLUMNS.flatMap((column) =>
    [column.name, ...column.aliases].map((name) => [headerKey(name), column] as const),
  ),
);

/**
 * Reads an exported sheet (rows of displayed cell values, header first) into cart events.
 *
 * Row numbers are the index in `rows` plus one, i.e. sheet row numbers when the rows start at row 1 (as
 * `values.get` on `A:Z` returns them) or CSV record numbers. A bad row is reported and skipped; the good rows
 * still come through. Blank rows are skipped silently. Several rows for the same cart are all returned: the
 * intake orders them by time. An unusable header (a required column missing, or a column named twice) yields a
 * single problem and no events, because guessing which column is which could send the wrong reminder.
 */
export function parseExportRows(rows: string[][], options: ExportRowsOptions): ExportRowsResult {
  const source = options.source ?? 'sheet';
  // A bad store currency is a configuration error, not the owner's sheet: let it throw.
  const storeCurrency = normaliseCurrency(options.storeCurrency);
  const headerIndex = rows.findIndex((row) => !isBlank(row));
  if (headerIndex < 0) return { events: [], problems: [] };
  const headerRow = headerIndex + 1;
  const header = readHeader(rows[headerIndex] ?? [], headerRow);
  if (!header.ok) return { events: [], problems: [{ line: headerRow, message: header.message }] };

  const events: ExportRowEvent[] = [];
  const problems: DocProblem[] = [];
  for (let index = headerIndex + 1; index < rows.length; index++) {
    const cells = rows[index] ?? [];
    if (isBlank(cells)) continue;
    const row = index + 1;
    const read = readRow(
      (id) => {
        const column = header.columns.get(id);
        return column === undefined ? '' : (cells[column] ?? '').trim();
      },
      storeCurrency,
      source,
      options.now,
    );
    if (read.ok) {
      events.push({ row, event: read.event });
    } else {
      // Left to right, as the owner reads the row.
      const errors = [...read.errors].sort(
        (a, b) => (header.columns.get(a.column) ?? 0) - (header.columns.get(b.column) ?? 0),
      );
      problems.push({ line: row, message: `row ${row}: ${errors.map((error) => error.message).join('; ')}` });
    }
  }
  return { events, problems };
}

function isBlank(row: readonly string[]): boolean {
  return row.every((cell) => cell.trim() === '');
}

type HeaderResult = { ok: true; columns: Map<ColumnId, number> } | { ok: false; message: string };

function readHeader(cells: readonly string[], row: number): HeaderResult {
  const columns = new Map<ColumnId, number>();
  for (const [index, cell] of cells.entries()) {
    const spec = COLUMN_BY_KEY.get(headerKey(cell));
    if (spec === undefined) continue; // Unknown columns (order id, notes ...) are the storefront's business.
    const taken = columns.get(spec.id);
    if (taken !== undefined) {
      return {
        ok: false,
        message:
          `row ${row}: columns ${columnLetter(taken)} and ${columnLetter(index)} are both "${spec.name}"; ` +
          `rename or remove one`,
      };
    }
    columns.set(spec.id, index);
  }
  const missing = EXPORT_COLUMNS.filter((spec) => spec.required && !columns.has(spec.id)).map(
    (spec) => `"${spec.name}"`,
  );
  if (missing.length > 0) {
    return {
      ok: false,
      message:
        `row ${row}: the header row has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}; the ` +
        `first row must name the columns (cart id, updated at, total, email, items, ...)`,
    };
  }
  return { ok: true, columns };
}

/** 0 → A, 25 → Z, 26 → AA: how the sheet labels columns. */
function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

interface FieldError {
  readonly column: ColumnId;
  readonly message: string;
}

type RowResult = { ok: true; event: CartChangedEvent | CheckedOutEvent } | { ok: false; errors: FieldError[] };

// The same rules as our own webhook (src/adapters/webhooks/standard-webhook.ts), so both lanes accept the same carts.
const CART_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const emailSchema = z.email();
const MAX_URL_LENGTH = 2048;
const MAX_FIRST_NAME = 100;

/** Notes a field's problem (they are reported in the order the fields are read) and stands in for its value. */
type Fail = (column: ColumnId, message: string) => undefined;

/** One row into a cart change or a checkout, or every field problem it has. */
function readRow(cell: (id: ColumnId) => string, storeCurrency: string, source: 'sheet', now: Date): RowResult {
  const errors: FieldError[] = [];
  const fail: Fail = (column, message) => {
    errors.push({ column, message });
    return undefined;
  };
  const head = readRowHead(cell, storeCurrency, now, fail);
  const { cartId, occurredAt, email, total } = head;

  if (head.status === 'checked_out') {
    // A checkout only needs to say which cart and, when known, what it was worth; the rest of the row is ignored.
    if (errors.length > 0 || cartId === undefined || occurredAt === undefined) return { ok: false, errors };
    const event: CheckedOutEvent = {
      kind: 'checked_out',
      eventId: `sheet:${cartId}:${occurredAt.toISOString()}:checked-out`,
      occurredAt,
      source,
      match: definedOnly({ cartId, email }),
      ...(total === undefined ? {} : { orderTotal: total }),
    };
    return { ok: true, event };
  }

  const { firstName, items, returnUrl, savedFlag, marketingConsent } = readCartFields(cell, head.currency, fail);
  if (
    errors.length > 0 ||
    cartId === undefined ||
    occurredAt === undefined ||
    total === undefined ||
    items === undefined
  ) {
    return { ok: false, errors };
  }
  const cart: CartSnapshot = definedOnly({
    cartId,
    source,
    email,
    firstName,
    items,
    total,
    returnUrl,
    timeZone: head.timeZone,
    // Same rule as the webhook: the flag, or the saved-cart marker on the link back.
    savedLink: savedFlag === true || hasSavedLinkMarker(returnUrl),
    marketingConsent,
  });
  return {
    ok: true,
    event: {
      kind: 'cart_changed',
      // Deterministic, so importing the same sheet again is a duplicate the intake ignores. The instant (not the
      // text) goes in, so "…Z" and "+00:00" spellings of one time are one event.
      eventId: `sheet:${cartId}:${occurredAt.toISOString()}`,
      occurredAt,
      source,
      cart,
    },
  };
}

/** The fields every row needs, a checkout's included: which cart, when, whose, its status and what it was worth. */
function readRowHead(cell: (id: ColumnId) => string, storeCurrency: string, now: Date, fail: Fail) {
  const cartIdText = cell('cartId');
  const cartId =
    cartIdText === ''
      ? fail('cartId', 'cart id is empty')
      : CART_ID.test(cartIdText)
        ? cartIdText
        : fail('cartId', `cart id ${quote(cartIdText)} must be 1-128 letters, digits or . _ : @ -`);

  const currencyText = cell('currency');
  let currency: string | undefined = storeCurrency;
  if (currencyText !== '') {
    try {
      currency = normaliseCurrency(currencyText);
    } catch {
      currency = fail('currency', `currency ${quote(currencyText)} is not a currency code such as USD`);
    }
  }

  const zoneText = cell('timeZone');
  const timeZone =
    zoneText === ''
      ? undefined
      : IANAZone.isValidZone(zoneText)
        ? zoneText
        : fail('timeZone', `time zone ${quote(zoneText)} is not an IANA time zone such as America/Chicago`);
  const zoneBroken = zoneText !== '' && timeZone === undefined;

  const updatedText = cell('updatedAt');
  let occurredAt: Date | undefined;
  if (updatedText === '') {
    fail('updatedAt', 'updated at is empty');
  } else {
    const time = readTime(updatedText, timeZone);
    // A local time next to a broken zone is already explained by the zone's message.
    if (time.ok && time.value.getTime() > now.getTime() + FUTURE_SKEW_MINUTES * 60_000) {
      fail(
        'updatedAt',
        `updated at ${quote(updatedText)} is ahead of the store's clock (${now.toISOString()}) by more ` +
          `than ${FUTURE_SKEW_MINUTES} minutes`,
      );
    } else if (time.ok) occurredAt = time.value;
    else if (!(time.needsZone && zoneBroken)) fail('updatedAt', `updated at ${quote(updatedText)} ${time.reason}`);
  }

  const emailText = cell('email');
  const email =
    emailText === ''
      ? undefined
      : emailSchema.safeParse(emailText.toLowerCase()).success
        ? normaliseEmail(emailText)
        : fail('email', `email ${quote(emailText)} is not an email address`);

  const statusText = cell('status');
  const status = readStatus(statusText) ?? fail('status', `status ${quote(statusText)} must be open or checked out`);

  const totalText = cell('total');
  let total: Money | undefined;
  if (totalText === '') {
    if (status !== 'checked_out') fail('total', 'total is empty');
  } else if (currency !== undefined) {
    const amount = readAmount(totalText, currency);
    if (amount.ok) total = amount.value;
    else fail('total', `total ${quote(totalText)} ${amount.reason}`);
  }
  return { cartId, currency, timeZone, occurredAt, email, status, total };
}

/** The fields only an open cart needs: the shopper's first name, the items, the link back and the two yes/no flags. */
function readCartFields(cell: (id: ColumnId) => string, currency: string | undefined, fail: Fail) {
  const firstNameText = cell('firstName');
  const firstName =
    firstNameText === ''
      ? undefined
      : firstNameText.length <= MAX_FIRST_NAME
        ? firstNameText
        : fail('firstName', `first name is longer than ${MAX_FIRST_NAME} characters`);

  const itemsText = cell('items');
  let items: CartItem[] | undefined;
  if (currency !== undefined) {
    const parsed = parseItems(itemsText, currency);
    if (parsed.ok) items = parsed.value;
    else fail('items', `items: ${parsed.reason}`);
  }

  const urlText = cell('returnUrl');
  const returnUrl =
    urlText === ''
      ? undefined
      : /^https?:\/\//i.test(urlText) && URL.canParse(urlText) && urlText.length <= MAX_URL_LENGTH
        ? urlText
        : fail('returnUrl', `return url ${quote(urlText)} is not an http(s) URL`);

  const savedText = cell('savedLink');
  const savedFlag =
    savedText === ''
      ? false
      : (parseYesNo(savedText) ?? fail('savedLink', `saved link ${quote(savedText)} must be yes or no`));

  const consentText = cell('marketingConsent');
  const marketingConsent =
    consentText === ''
      ? undefined
      : (parseYesNo(consentText) ??
        fail('marketingConsent', `marketing consent ${quote(consentText)} must be yes, no or blank`));
  return { firstName, items, returnUrl, savedFlag, marketingConsent };
}

/** Drops undefined properties so stored snapshots carry only what the row said. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function readStatus(text: string): 'open' | 'checked_out' | undefined {
  const key = text.toLowerCase().replace(/[^a-z]/g, '');
  if (key === '' || key === 'open') return 'open';
  if (key === 'checkedout') return 'checked_out';
  return undefined;
}

type TimeResult = { ok: true; value: Date } | { ok: false; reason: string; needsZone: boolean };

// Date, then T or a space, then hh:mm[:ss[.fff]], then an optional Z or ±hh[:mm].
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Reads `updated at`: an ISO 8601 time with an offset, or a local date and time in the row's time zone. Sheets'
 * own date display ("11/2/2026 15:04:00") is refused: day and month order depends on the sheet's locale.
 */
function readTime(text: string, zone: string | undefined): TimeResult {
  const match = DATE_TIME.exec(text);
  if (!match) {
    return { ok: false, needsZone: false, reason: 'is not a date and time like 2026-11-02T15:04:00-06:00' };
  }
  const offset = match[3]?.toUpperCase();
  const iso = `${match[1] ?? ''}T${(match[2] ?? '').replace(',', '.')}${offset ?? ''}`;
  let time: DateTime;
  if (offset !== undefined) {
    time = DateTime.fromISO(iso, { setZone: true });
  } else if (zone !== undefined) {
    time = DateTime.fromISO(iso, { zone });
  } else {
    return {
      ok: false,
      needsZone: true,
      reason: 'has no UTC offset; add one (like 2026-11-02T15:04:00-06:00) or fill in the time zone column',
    };
  }
  if (!time.isValid) return { ok: false, needsZone: false, reason: 'is not a real date and time' };
  return { ok: true, value: time.toJSDate() };
}

type AmountResult = { ok: true; value: Money } | { ok: false; reason: string };

// Thousands separators only next to a decimal point ("1,200.00"), so a decimal comma ("12,5") is never misread.
const GROUPED = /^\d{1,3}(?:,\d{3})+\.\d+$/;

/**
 * Reads an amount in `currency`: a plain decimal ("120", "120.00"), optionally with thousands separators and a
 * decimal point ("1,200.00"), optionally marked with that currency's symbol or code ("$120.00", "120.00 USD"),
 * as Sheets shows currency-formatted cells. A symbol of another currency is refused rather than guessed at.
 */
function readAmount(text: string, currency: string): AmountResult {
  let plain = text.trim();
  for (const mark of currencyMarks(currency)) {
    if (plain.startsWith(mark)) {
      plain = plain.slice(mark.length).trim();
      break;
    }
    if (plain.endsWith(mark)) {
      plain = plain.slice(0, -mark.length).trim();
      break;
    }
  }
  if (GROUPED.test(plain)) plain = plain.replace(/,/g, '');
  try {
    return { ok: true, value: parseMoney(plain, currency) };
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    // parseMoney's own message quotes the stripped text; say it in terms of what the owner typed.
    return /decimal places/.test(error.message)
      ? { ok: false, reason: `has more decimal places than ${currency} allows` }
      : { ok: false, reason: 'is not a decimal amount' };
  }
}

const marksCache = new Map<string, readonly string[]>();

/** The code and the symbols ("USD", "US$", "$") that may mark an amount in this currency, longest first. */
function currencyMarks(currency: string): readonly string[] {
  let marks = marksCache.get(currency);
  if (marks === undefined) {
    const symbols = (['symbol', 'narrowSymbol'] as const).map(
      (currencyDisplay) =>
        new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay })
          .formatToParts(0)
          .find((part) => part.type === 'currency')?.value ?? currency,
    );
    marks = [...new Set([currency, ...symbols])].sort((a, b) => b.length - a.length);
    marksCache.set(currency, marks);
  }
  return marks;
}

const MAX_ITEMS = 500;
const MAX_QUANTITY = 100_000;
// "<title> x<quantity> @ <unit price>", the "x<quantity>" part optional. The title is the shortest prefix that lets
// the rest match, so "Tee @ home x1 @ 20.00" reads as title "Tee @ home", quantity 1, price 20.00.
const ITEM = /^(.+?)(?:\s+[x×]\s*(\d+))?\s*@\s*([^@]+)$/i;

/**
 * Reads the `items` cell: items separated by ";" (or, when the cell has line breaks, one item per line, so a
 * title may then contain ";"). Each item is `title x<quantity> @ <unit price>`: "Linen shirt x1 @ 60.00",
 * "Candle x2 @ 20.00"; "Tote @ 20.00" means one. The unit price is in the row's currency. A blank cell is no items.
 */
export function parseItems(
  text: string,
  currency: string,
): { ok: true; value: CartItem[] } | { ok: false; reason: string } {
  const parts = (/[\r\n]/.test(text) ? text.split(/\r\n|\r|\n/) : text.split(';'))
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length > MAX_ITEMS) return { ok: false, reason: `more than ${MAX_ITEMS} items` };
  const items: CartItem[] = [];
  for (const part of parts) {
    const match = ITEM.exec(part);
    if (!match) {
      return {
        ok: false,
        reason: `${quote(part)} should look like "Candle x2 @ 20.00" (title, x quantity, @ unit price)`,
      };
    }
    const title = (match[1] ?? '').trim();
    const quantity = match[2] === undefined ? 1 : Number(match[2]);
    const priceText = (match[3] ?? '').trim();
    // A long title is not refused: the intake use case keeps it cut (domain/cart/bounds.ts), as it does for webhooks.
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      return { ok: false, reason: `${quote(part)} has quantity ${quantity}; it must be 1 to ${MAX_QUANTITY}` };
    }
    const price = readAmount(priceText, currency);
    if (!price.ok) return { ok: false, reason: `${quote(part)}: price ${quote(priceText)} ${price.reason}` };
    items.push({ title, quantity, unitPrice: price.value.minor });
  }
  return { ok: true, value: items };
}

/** A CSV file that cannot be read at all (an unclosed quote); `line` is where the quoted field began. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses CSV text (RFC 4180) into rows of fields for the local CSV lane: fields separated by commas, records by
 * CRLF, LF or CR; a field in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`).
 * A line break at the very end ends the last record rather than starting an empty one; an empty line in the
 * middle is a record with one empty field (parseExportRows skips it as blank). A leading byte-order mark is
 * dropped. Forgiving where RFC 4180 is strict but the meaning is plain: a quote inside an unquoted field, or text
 * right after a closing quote, is kept as written. Throws a {@link CsvError} for a quote that is never closed,
 * since everything after it would otherwise vanish into one field.
 */
export function parseCsv(text: string): string[][] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let fieldQuoted = false;
  let inQuotes = false;
  let line = 1;
  let quoteLine = 1;
  let i = 0;
  while (i < input.length) {
    const char = input[i];
    if (inQuotes) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          inQuotes = false;
          i += 1;
        }
        continue;
      }
      if (char === '\n' || (char === '\r' && input[i + 1] !== '\n')) line += 1;
      field += char;
      i += 1;
      continue;
    }
    if (char === '"' && field === '' && !fieldQuoted) {
      inQuotes = true;
      fieldQuoted = true;
      quoteLine = line;
      i += 1;
    } else if (char === ',') {
      row.push(field);
      field = '';
      fieldQuoted = false;
      i += 1;
    } else if (char === '\r' || char === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldQuoted = false;
      i += char === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line += 1;
    } else {
      field += char;
      i += 1;
    }
  }
  if (inQuotes) throw new CsvError(quoteLine, `line ${quoteLine}: a quoted field is never closed`);
  if (field !== '' || fieldQuoted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
