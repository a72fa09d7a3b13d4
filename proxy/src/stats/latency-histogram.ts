/**
 * Latency buckets on a log scale: eight per doubling from 0.05 ms to ~100 s, so a quantile
 * read from the counts is within ±4.5 % of the true value whatever the scale. A request
 * costs one log2 and one increment in a typed array; quantiles are read when asked.
 */
const MIN_MS = 0.05;
const PER_DOUBLING = 8;
const DOUBLINGS = 21;

/** Bucket 0 holds everything up to MIN_MS; the last one everything past ~100 s. */
export const LATENCY_BUCKETS = 2 + DOUBLINGS * PER_DOUBLING;

export function latencyBucket(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = 1 + Math.floor(Math.log2(ms / MIN_MS) * PER_DOUBLING);
  return i < LATENCY_BUCKETS ? i : LATENCY_BUCKETS - 1;
}

/** A bucket's representative value in ms: the geometric middle of its bounds. */
export function bucketValue(index: number): number {
  if (index <= 0) return MIN_MS / 2;
  return MIN_MS * 2 ** ((index - 0.5) / PER_DOUBLING);
}

/**
 * The q-quantile (0 < q ≤ 1) of the latencies counted in `counts` (one entry per bucket),
 * in ms, or null when there are none: the value of the bucket holding the ⌈q·n⌉-th fastest.
 *
 * @example
 * quantile(counts, 0.99) // 182.4
 */
export function quantile(counts: ArrayLike<number>, q: number, total?: number): number | null {
  let n = total;
  if (n === undefined) {
    n = 0;
    for (let i = 0; i < counts.length; i++) n += counts[i] as number;
  }
  if (n <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= rank) return round(bucketValue(i));
  }
  return round(bucketValue(counts.length - 1));
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
