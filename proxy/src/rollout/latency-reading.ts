import { quantile } from '../stats/index.js';
import { wilson } from './wilson.js';

/**
 * The q-quantile of a latency histogram with its 95 % interval: the true quantile lies,
 * with 95 % confidence, between the sample quantiles at the Wilson bounds of q for n
 * samples (a distribution-free interval from order statistics).
 */
export function latencyQuantileBounds(counts: ArrayLike<number>, n: number, q: number): { value: number | null; lower: number | null; upper: number | null; samples: number } {
  const bounds = wilson(q * n, n);
  if (!bounds) return { value: null, lower: null, upper: null, samples: 0 };
  return {
    value: quantile(counts, q, n),
    lower: quantile(counts, Math.max(bounds.lower, 1 / n), n),
    upper: quantile(counts, bounds.upper, n),
    samples: n,
  };
}
