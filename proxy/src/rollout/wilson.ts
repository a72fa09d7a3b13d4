/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a proportion: `k` of `n` trials, at confidence z (95 %
 * by default). Unlike the textbook p ± z·√(p(1−p)/n), it stays inside [0, 1] and does not
 * collapse to a point at 0 of n, which is exactly the case a healthy backend produces.
 *
 * @example
 * wilson(0, 300) // { lower: 0, upper: 0.0126 }: 300 clean requests cannot yet claim ≤ 1 %
 */
export function wilson(k: number, n: number, z = Z95): { lower: number; upper: number } | undefined {
  if (!(n > 0)) return undefined;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return { lower: Math.max(0, (centre - spread) / denominator), upper: Math.min(1, (centre + spread) / denominator) };
}

/**
 * Trials needed before a clean record (0 of n) can claim a rate under `threshold`: the
 * Wilson upper bound at 0 of n is z²/(n+z²), under the threshold once n > z²(1−t)/t.
 * 381 for 1 %, 73 for 5 %.
 */
export function samplesToClaim(threshold: number, z = Z95): number {
  return Math.floor((z * z * (1 - threshold)) / threshold) + 1;
}
