import type { LoadTarget } from './measure.js';
import type { BenchStack } from './stack.js';

export interface Targets {
  /** Candidate req/s over baseline req/s, at least. */
  readonly minThroughputRatio: number;
  /** Candidate p50 minus baseline p50, at most (ms). */
  readonly maxAddedP50Ms: number;
  /** Candidate p50 and p99 over the baseline's, at most (1.1: within 10 %). */
  readonly maxP50Ratio?: number;
  readonly maxP99Ratio?: number;
}

/**
 * One comparison in the bench: a baseline and a candidate loaded the same way in the same
 * run. A new comparison (a bridged route vs a direct bearer call, a shadowed route vs an
 * unshadowed one) is one more entry in SECTIONS.
 */
export interface BenchSection {
  readonly name: string;
  readonly title: string;
  readonly targets: Targets;
  /** Figures for sizing: printed and written, never a missed target. */
  readonly reportOnly?: boolean;
  /**
   * Paced sections only, instead of rounds: each target is primed once for `primeSec`
   * (unmeasured), then they alternate in `slices` short slices of `sliceSec` each, pooled.
   * On a machine whose speed drifts (other tenants of its host, a process still warming
   * up) drift then lands on both alike; in 10 s rounds it decides which one looks better.
   */
  readonly interleave?: { readonly primeSec: number; readonly sliceSec: number; readonly slices: number };
  /** `reference`: nginx in front of the baseline's backend, loaded the same way (the bench's third row). */
  prepare(stack: BenchStack): Promise<{ baseline: LoadTarget; candidate: LoadTarget; reference?: LoadTarget }>;
}
