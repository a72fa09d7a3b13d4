import type { GateReading } from '../history/history-entry.js';
import { wilson, samplesToClaim } from './wilson.js';

export type GateStatus = GateReading['status'];

/** A gate's judgement: the reading the rollouts' API and the history show, less the gate's name. */
export type Verdict = Omit<GateReading, 'name'>;

/** Fewer bad outcomes than this never fail a gate on their own: a trickle's unlucky pair is no evidence (critical-errors is for floods). */
export const MIN_BAD_TO_FAIL = 5;

/**
 * A rate of bad outcomes judged against the most it may be, by its 95 % Wilson interval:
 * fail when even the lower bound is over the limit, pass when the upper bound is under it
 * (which takes `samplesToClaim(limit)` clean samples at least), otherwise insufficient.
 *
 * @example
 * judgeRate(0, 400, 0.01)  // pass: upper 0.95 % < 1 %
 * judgeRate(0, 100, 0.01)  // insufficient: 100 clean requests cannot show ≤ 1 %
 * judgeRate(30, 200, 0.01) // fail: lower 10.7 % > 1 %
 */
export function judgeRate(bad: number, total: number, limit: number): Verdict {
  const needed = samplesToClaim(limit);
  const bounds = wilson(bad, total);
  if (!bounds) return { status: 'insufficient', value: null, lower: null, upper: null, threshold: limit, samples: 0, needed };
  const status: Verdict['status'] = bounds.lower > limit && bad >= MIN_BAD_TO_FAIL ? 'fail' : bounds.upper < limit ? 'pass' : 'insufficient';
  return { status, value: bad / total, lower: bounds.lower, upper: bounds.upper, threshold: limit, samples: total, needed };
}

/**
 * A share of good outcomes (the diff match rate) that must be at least `minimum`: judged as
 * the rate of bad ones against 1 − minimum, and reported as the good share with its bounds.
 */
export function judgeShare(good: number, total: number, minimum: number): Verdict {
  const bad = judgeRate(total - good, total, 1 - minimum);
  return {
    ...bad,
    value: bad.value === null ? null : 1 - bad.value,
    lower: bad.upper === null ? null : 1 - bad.upper,
    upper: bad.lower === null ? null : 1 - bad.lower,
    threshold: minimum,
  };
}

/** One backend's latency quantile with a 95 % interval, in ms (see latencyQuantileBounds). */
export interface QuantileReading {
  readonly value: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly samples: number;
}

/**
 * new's quantile over legacy's, judged against the largest ratio allowed. Each quantile
 * comes with an interval from the order statistics (which of the sorted samples could be
 * the true quantile, by the binomial), so the ratio's interval is new's lower over legacy's
 * upper to new's upper over legacy's lower. Both sides need `needed` samples.
 */
export function judgeLatencyRatio(next: QuantileReading, legacy: QuantileReading, maxRatio: number, needed: number): Verdict {
  const samples = Math.min(next.samples, legacy.samples);
  const known = next.value !== null && legacy.value !== null && legacy.value > 0;
  const value = known ? (next.value as number) / (legacy.value as number) : null;
  const lower = next.lower !== null && legacy.upper ? next.lower / legacy.upper : null;
  const upper = next.upper !== null && legacy.lower ? next.upper / legacy.lower : null;
  let status: GateStatus = 'insufficient';
  if (samples >= needed && lower !== null && upper !== null) status = lower > maxRatio ? 'fail' : upper < maxRatio ? 'pass' : 'insufficient';
  return { status, value: round(value), lower: round(lower), upper: round(upper), threshold: maxRatio, samples, needed };
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}
