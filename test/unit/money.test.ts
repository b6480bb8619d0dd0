import { describe, expect, it } from 'vitest';
import { formatMoney, MoneyError, parseMoney } from '../../src/domain/cart/money';

describe('parseMoney', () => {
  it.each([
    ['120.00', 'USD', 12000],
    ['120', 'usd', 12000],
    ['19.9', 'USD', 1990],
    [19.99, 'USD', 1999],
    [0.1, 'EUR', 10],
    ['1200', 'JPY', 1200],
    ['1.234', 'KWD', 1234],
    ['120.000', 'USD', 12000],
  ] as const)('reads %s %s as %i minor units', (amount, currency, minor) => {
    expect(parseMoney(amount, currency)).toEqual({ minor, currency: currency.toUpperCase() });
  });

  it.each([
    ['12.345', 'USD', /more than 2 decimal places/],
    ['-1', 'USD', /not a non-negative decimal/],
    ['1e3', 'USD', /not a non-negative decimal/],
    ['abc', 'USD', /not a non-negative decimal/],
    ['12.5', 'JPY', /more than 0 decimal places/],
    ['10', 'XYZ', /unknown currency/],
    [Number.NaN, 'USD', /not a non-negative amount/],
  ] as const)('refuses %s %s', (amount, currency, message) => {
    expect(() => parseMoney(amount, currency)).toThrow(MoneyError);
    expect(() => parseMoney(amount, currency)).toThrow(message);
  });
});

describe('formatMoney', () => {
  it('formats in the currency', () => {
    expect(formatMoney({ minor: 12000, currency: 'USD' })).toBe('$120.00');
    expect(formatMoney({ minor: 1200, currency: 'JPY' })).toBe('¥1,200');
  });
});
