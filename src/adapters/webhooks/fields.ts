import { IANAZone } from 'luxon';
import * as z from 'zod';
import { HttpError } from '../../http/function-url';
import { MoneyError, normaliseCurrency, parseMoney, type Money } from '../../domain/cart/money';

/** An http(s) URL; anything else (javascript:, data:) is refused before it can reach an email. */
export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'expected an http(s) URL');

export const decimalAmount = z.union([z.string().trim().min(1), z.number().nonnegative()]);

/** An ISO 4217 code that Intl knows, upper-cased. */
export const currencyCode = z.string().transform((code, context) => {
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

export const ianaZone = z.string().trim().refine(isKnownZone, 'expected an IANA time zone such as America/Chicago');

export const emailAddress = z.string().trim().toLowerCase().pipe(z.email('expected an email address'));

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
