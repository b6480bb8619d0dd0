/**
 * Honest ranges for small samples, at 95 %: Wilson's score interval for one rate, and Newcombe's hybrid score
 * interval (his method 10, built from the two Wilson intervals) for the difference of two independent rates.
 * Both keep close to their stated coverage where the textbook p ± 1.96·SE (Wald) interval falls short: few
 * events, rates near 0, small groups. References: Wilson (1927); Newcombe, Statistics in Medicine 17 (1998) 873-890.
 */

/** The 97.5th percentile of the standard normal: a two-sided 95 % range. */
export const Z_95 = 1.959963984540054;

/** A rate's point estimate and its range, as fractions (0-1). */
export interface Estimate {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval for `successes` out of `trials`.
 *
 * @throws RangeError when the counts are not whole numbers with 0 <= successes <= trials and trials > 0.
 */
export function wilson(successes: number, trials: number, z: number = Z_95): Estimate {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials <= 0 || successes < 0 || successes > trials) {
    throw new RangeError(
      `wilson: need whole counts with 0 <= successes <= trials and trials > 0, got ${successes} of ${trials}`,
    );
  }
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // Exact ends at 0 and n (the formula gives them up to rounding).
  return {
    estimate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (group 1: `x1` of `n1`, group 2: `x2` of `n2`).
 *
 * @throws RangeError on counts {@link wilson} refuses.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z: number = Z_95): Estimate {
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    low: d - Math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2),
    high: d + Math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2),
  };
}
