import { describe, expect, it } from 'vitest';
import { newcombeDifference, wilson } from '../../src/domain/reporting/intervals';

describe('95% intervals against published values', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", table I: 81/263 and 0/20.
  it('Wilson score interval', () => {
    const a = wilson(81, 263);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    const b = wilson(0, 20);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.1611, 4);
  });

  // Newcombe (1998), "Interval estimation for the difference between independent proportions", table II, method 10.
  it("Newcombe's hybrid score interval for a difference", () => {
    const d = newcombeDifference(56, 70, 48, 80);
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
    const e = newcombeDifference(9, 10, 3, 10);
    expect(e.low).toBeCloseTo(0.1705, 4);
    expect(e.high).toBeCloseTo(0.809, 4);
  });

  it('refuses counts that are not a sample, naming them', () => {
    expect(() => wilson(3, 0)).toThrow(/3 of 0/);
    expect(() => wilson(5, 4)).toThrow(/5 of 4/);
  });
});
