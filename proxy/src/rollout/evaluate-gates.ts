import type { GateSettings } from '../config/index.js';
import type { GateReading } from '../history/index.js';
import type { WindowFigures } from '../stats/index.js';
import { judgeLatencyRatio, judgeRate, judgeShare, type GateStatus } from './judge.js';
import { latencyQuantileBounds } from './latency-reading.js';

/** Samples each side needs before its latency quantile is judged. */
export const LATENCY_SAMPLES = { p95: 300, p99: 1000 } as const;

export interface GateInputs {
  /** The rollout's backend on this route in the window. */
  readonly next: WindowFigures;
  /** The route's target (the backend being left) in the same window. */
  readonly legacy: WindowFigures;
  /** Shadow comparisons of the route in the window, raced ones left out; undefined without shadow traffic. */
  readonly comparisons: { readonly judged: number; readonly matched: number } | undefined;
}

/**
 * Every gate of a rollout, judged on one window. Before the first canary step (`shadow`)
 * the new backend answers nobody, so only the match rate is judged there.
 *
 * @example
 * evaluateGates(settings, 'canary', { next, legacy, comparisons })
 * // [{ name: 'error-rate', status: 'insufficient', value: 0, lower: 0, upper: 0.0126, threshold: 0.01, samples: 300, needed: 381 }, …]
 */
export function evaluateGates(gates: GateSettings, phase: 'shadow' | 'canary', input: GateInputs): GateReading[] {
  const out: GateReading[] = [];
  if (phase === 'canary' && gates.errorRate !== undefined) {
    const { legacy, next } = input;
    const legacyRate = legacy.requests > 0 ? legacy.errors / legacy.requests : 0;
    const limit = Math.min(0.99, legacyRate + gates.errorRate);
    out.push({ name: 'error-rate', ...rounded(judgeRate(next.errors, next.requests, limit)) });
  }
  if (gates.matchRate !== undefined) {
    const c = input.comparisons ?? { judged: 0, matched: 0 };
    out.push({ name: 'match-rate', ...rounded(judgeShare(c.matched, c.judged, gates.matchRate)) });
  }
  if (phase === 'canary') {
    for (const [name, q, max, needed] of [['latency-p95', 0.95, gates.latencyP95, LATENCY_SAMPLES.p95], ['latency-p99', 0.99, gates.latencyP99, LATENCY_SAMPLES.p99]] as const) {
      if (max === undefined) continue;
      const next = latencyQuantileBounds(input.next.latency, input.next.requests, q);
      const legacy = latencyQuantileBounds(input.legacy.latency, input.legacy.requests, q);
      out.push({ name, ...judgeLatencyRatio(next, legacy, max, needed) });
    }
  }
  return out;
}

/** Any gate failing fails; all passing (or none to judge) passes; else insufficient. */
export function overall(readings: readonly GateReading[]): GateStatus {
  if (readings.some((r) => r.status === 'fail')) return 'fail';
  return readings.every((r) => r.status === 'pass') ? 'pass' : 'insufficient';
}

/** A reading for a person: `error-rate fail: 12.4 % [8.1 %, 17.3 %] over 1.5 % (n=200)`. */
export function describeReading(r: GateReading): string {
  const isRatio = r.name.startsWith('latency');
  const show = (x: number | null) => (x === null ? '?' : isRatio ? `${x.toFixed(2)}x` : `${(x * 100).toFixed(2)} %`);
  const relation = r.name === 'match-rate' ? (r.status === 'fail' ? 'under' : 'against') : r.status === 'fail' ? 'over' : 'against';
  return `${r.name} ${r.status}: ${show(r.value)} [${show(r.lower)}, ${show(r.upper)}] ${relation} ${show(r.threshold)} (${r.samples} samples, ${r.needed} needed)`;
}

function rounded<T extends { value: number | null; lower: number | null; upper: number | null; threshold: number }>(v: T): T {
  const r = (x: number | null) => (x === null ? null : Math.round(x * 100_000) / 100_000);
  return { ...v, value: r(v.value), lower: r(v.lower), upper: r(v.upper), threshold: r(v.threshold) as number };
}
