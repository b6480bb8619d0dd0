import { IANAZone } from 'luxon';
import * as z from 'zod';
import { HttpError } from '../../http/function-url';
import { FUTURE_SKEW_MINUTES } from '../../domain/cart/cart';
import { MoneyError, normaliseCurrency, parseMoney, type Money } from '../../domain/cart/money';

/**
 * Limits every format shares, so no input can reach DynamoDB's item (400 KB) or key (2,048 bytes) limits. Item counts
 * and title lengths are not refused but kept bounded by the intake use case (`CART_BOUNDS`, `domain/cart/bounds.ts`):
 * a merged row holds at most that many items of one event plus the bounded fields below.
 */
export const LIMITS = {
  firstName: 100,
  quantity: 100_000,
  url: 2048,
  /** Storefront tokens (cart and checkout tokens) and delivery ids. */
  token: 256,
  /** Decimal amounts as text. */
  amount: 32,
  /** How far ahead of our clock an event time may be (storefront clocks drift a little, never hours). */
  futureSkewMinutes: FUTURE_SKEW_MINUTES,
} as const;

/** An http(s) URL; anything else (javascript:, data:) is refused before it can reach an email. */
export const httpUrl = z
  .string()
  .trim()
  .max(LIMITS.url)
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'expected an http(s) URL');

export const decimalAmount = z.union([z.string().trim().min(1).max(LIMITS.amount), z.number().nonnegative()]);

/** An ISO 4217 code that Intl knows, upper-cased. */
export const currencyCode = z
  .string()
  .max(8)
  .transform((code, context) => {
    try {
      return normaliseCurrency(code);
    } catch {
      context.addIssue({ code: 'custom', message: 'expected an ISO 4217 currency code such as USD' });
      return z.NEVER;
    }
  });

/**
 * Zones already found valid. luxon checks a zone by building an Intl.DateTimeFormat, which costs tens of
 * microseconds on every webhook; there are only a few hundred zone names, so the set stays small.
 */
const knownZones = new Set<string>();

function isKnownZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  knownZones.add(zone);
  return true;
}

export const ianaZone = z
  .string()
  .trim()
  .max(64)
  .refine(isKnownZone, 'expected an IANA time zone such as America/Chicago');

/** A storefront token or delivery id: printable ASCII without spaces, bounded. */
export const token = z
  .string()
  .trim()
  .max(LIMITS.token, `expected at most ${LIMITS.token} characters`)
  .regex(/^[\x21-\x7e]+$/, 'expected printable characters without spaces');

/**
 * An email address as a mail server takes it (RFC 5321 §4.5.3.1: local part at most 64 octets, domain at most 255,
 * the address at most 254), one address only: no commas, spaces or line breaks. Trimmed and lower-cased.
 */
export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'expected an email address of at most 254 characters')
  .refine((value) => !/[\s,;<>]/.test(value), 'expected one email address (no commas, spaces or line breaks)')
  .refine((value) => {
    const at = value.lastIndexOf('@');
    return at > 0 && at <= 64 && value.length - at - 1 <= 255;
  }, 'expected an email address with a local part of at most 64 characters and a domain of at most 255')
  .refine(
    (value) =>
      value
        .split('@')
        .pop()!
        .split('.')
        .every((label) => label.length <= 63),
    'expected domain labels of at most 63 characters',
  )
  .pipe(z.email('expected an email address'));

/** Refuses an event time more than a few minutes ahead of `now`: a 400 naming the field. */
export function notInFuture(occurredAt: Date, now: Date, field: string): Date {
  if (occurredAt.getTime() > now.getTime() + LIMITS.futureSkewMinutes * 60_000) {
    throw new HttpError(
      400,
      'invalid_field',
      `${field}: ${occurredAt.toISOString()} is more than ${LIMITS.futureSkewMinutes} minutes ahead of our clock ` +
        `(${now.toISOString()})`,
    );
  }
  return occurredAt;
}

/** Turns a zod failure into a 400 that names the first offending field, e.g. `data.items.2.unitPrice`. */
export function schemaError(error: z.ZodError, prefix = ''): HttpError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message = issue ? `${path || 'body'}: ${issue.message}` : 'The body does not match the expected shape.';
  return new HttpError(400, 'invalid_field', message);
}

/** Money from a decimal and a currency, or a 400 naming the field. */
export function moneyField(amount: string | number, currency: string, field: string): Money {
  try {
    return parseMoney(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new HttpError(400, 'invalid_field', `${field}: ${error.message}`);
    throw error;
  }
}

/** Parses with a schema or throws a 400 naming the field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw schemaError(result.error, prefix);
  return result.data;
}
