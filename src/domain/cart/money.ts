/**
 * Money is kept as an integer count of the currency's minor unit (cents for USD, yen for JPY)
 * next to its ISO 4217 code, so no float ever touches a total.
 */
export interface Money {
  /** Integer amount in the currency's minor unit. */
  readonly minor: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

/** Raised when an amount or currency cannot be read; the message names what was wrong. */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

const exponentCache = new Map<string, number>();

/** Number of minor-unit digits for a currency (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyExponent(currency: string): number {
  const code = normaliseCurrency(currency);
  let exponent = exponentCache.get(code);
  if (exponent === undefined) {
    exponent =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(code, exponent);
  }
  return exponent;
}

/** Upper-cases and checks a currency code; Intl knows every ISO 4217 code. */
export function normaliseCurrency(currency: string): string {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code)) {
    throw new MoneyError(`unknown currency "${currency}"`);
  }
  return code;
}

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,12}))?$/;

/**
 * Parses a decimal amount ("120.00", "19.9", 42, 19.99) into minor units without float arithmetic.
 * Extra fraction digits are accepted only when they are zeros ("120.000" for USD), never rounded away.
 */
export function parseMoney(amount: string | number, currency: string): Money {
  const code = normaliseCurrency(currency);
  const exponent = currencyExponent(code);
  const text = typeof amount === 'number' ? numberToPlain(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`"${String(amount)}" is not a non-negative decimal amount`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new MoneyError(`"${String(amount)}" has more than ${exponent} decimal places for ${code}`);
  }
  const minor = Number(whole) * 10 ** exponent + Number(kept || '0');
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`"${String(amount)}" is too large`);
  return { minor, currency: code };
}

function numberToPlain(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new MoneyError(`${value} is not a non-negative amount`);
  // toString gives the shortest round-tripping form (19.99 -> "19.99"); exponent forms are out of range anyway.
  return value.toString();
}

/** Formats money for people, in the given locale ("$120.00", "¥1,200"). */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const exponent = currencyExponent(money.currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(
    money.minor / 10 ** exponent,
  );
}
