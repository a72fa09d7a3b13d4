import { z } from 'zod';
import { parseDuration } from '../record/parse-duration.js';
import type { Problem } from './problem.js';
import { closest } from './problem.js';

/** The gates a rollout judges, and the limit that demotes at once. */
export const GATE_NAMES = ['error-rate', 'match-rate', 'latency-p95', 'latency-p99', 'critical-errors'] as const;
export type GateKey = (typeof GATE_NAMES)[number];

/**
 * A rollout's limits; undefined turns a gate off. Rates are fractions (0.01 for 1 %),
 * latency limits ratios of new to legacy (1.5 for 1.5x).
 */
export interface GateSettings {
  /** New's failure rate may exceed legacy's (same route, same window) by at most this. */
  readonly errorRate: number | undefined;
  /** Shadow comparisons that must match (raced ones left out). */
  readonly matchRate: number | undefined;
  readonly latencyP95: number | undefined;
  readonly latencyP99: number | undefined;
  /** This many failures from new during one step demote at once. */
  readonly criticalErrors: number | undefined;
}

export type RolloutHold = 'paused' | 'demoted' | 'done';

/** routes.yaml `rollout:` on a route, checked, defaults applied. */
export interface RolloutConfig {
  readonly to: string;
  /** Canary percentages, increasing, ending with 100. */
  readonly steps: readonly number[];
  /** As written (`10m`), and in ms. */
  readonly every: string;
  readonly everyMs: number;
  /** The sliding window the gates judge (default: `every`, at most 15 minutes). */
  readonly windowMs: number;
  /** Consecutive passing evaluations a step needs before the next. */
  readonly passes: number;
  readonly gates: GateSettings;
  /** Written by the proxy: undefined while the rollout runs. */
  readonly state: RolloutHold | undefined;
}

/** The proxy keeps 15 minutes of figures (stats/route-windows.ts): no window can be longer. */
export const MAX_WINDOW_MS = 15 * 60_000;
export const DEFAULT_STEPS = Object.freeze([1, 5, 25, 50, 100]);
export const DEFAULT_EVERY = '10m';
export const DEFAULT_PASSES = 3;
/** Applied under what a rollout names; `off` turns one off. match-rate only where the route shadows to `to`. */
export const DEFAULT_GATES: Readonly<Record<GateKey, string | number>> = Object.freeze({
  'error-rate': '1%', 'match-rate': '99%', 'latency-p95': '1.5x', 'latency-p99': 'off', 'critical-errors': 20,
});

const duration = z.union([z.string(), z.number()]);

export const rolloutSchema = z.strictObject({
  to: z.string(),
  steps: z.array(z.number()).min(1).optional(),
  every: duration.optional(),
  window: duration.optional(),
  passes: z.number().int().min(1).max(100).optional(),
  gates: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  state: z.enum(['paused', 'demoted', 'done']).optional(),
});

export type RolloutBlock = z.output<typeof rolloutSchema>;

const EXAMPLE_GATES = 'gates: { error-rate: 1%, match-rate: 99%, latency-p95: 1.5x, latency-p99: 2x, critical-errors: 20 }';

/**
 * One gate's value: `1%` for the rates, `1.5x` for latency ratios, a whole number for
 * critical-errors, `off` for none. Undefined means off.
 */
export function parseGateValue(name: string, value: unknown): { ok: true; value: number | undefined } | { ok: false; reason: string } {
  if (!(GATE_NAMES as readonly string[]).includes(name)) {
    const guess = closest(name, GATE_NAMES);
    return { ok: false, reason: `unknown gate "${name}" (${guess ? `did you mean "${guess}"? ` : ''}known: ${GATE_NAMES.join(', ')})` };
  }
  const text = String(value).trim();
  if (text === 'off') return { ok: true, value: undefined };
  if (name === 'critical-errors') {
    const n = Number(text);
    return Number.isInteger(n) && n >= 1 ? { ok: true, value: n } : { ok: false, reason: `"${text}" is not a count: write a whole number of failures from the new backend that demote at once, e.g. critical-errors: 20 (or off)` };
  }
  if (name === 'latency-p95' || name === 'latency-p99') {
    const m = /^(\d+(?:\.\d+)?)x$/.exec(text);
    const ratio = m ? Number(m[1]) : NaN;
    return ratio >= 1 ? { ok: true, value: ratio } : { ok: false, reason: `"${text}" is not a latency ratio: write how many times legacy's ${name.slice(-3)} the new backend may take, at least 1x, e.g. ${name}: 1.5x (or off)` };
  }
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const percent = m ? Number(m[1]) : NaN;
  if (name === 'match-rate') {
    return percent > 0 && percent < 100 ? { ok: true, value: percent / 100 } : { ok: false, reason: `"${text}" is not a match rate: write the share of shadow comparisons that must match, above 0% and below 100%, e.g. match-rate: 99% (or off)` };
  }
  return percent > 0 && percent < 100 ? { ok: true, value: percent / 100 } : { ok: false, reason: `"${text}" is not an error rate: write how much the new backend's failure rate may exceed legacy's, above 0% and below 100%, e.g. error-rate: 1% (or off)` };
}

/** `error-rate=1%,latency-p99=2x` (the CLI's --gates) → a gates mapping; problems named. */
export function parseGateList(text: string): { ok: true; gates: Record<string, string> } | { ok: false; errors: string[] } {
  const gates: Record<string, string> = {};
  const errors: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      errors.push(`"${part}": write name=value, e.g. error-rate=1%,match-rate=99%,latency-p95=1.5x,critical-errors=20`);
      continue;
    }
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const parsed = parseGateValue(name, value);
    if (!parsed.ok) errors.push(`${name}: ${parsed.reason}`);
    else gates[name] = value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, gates };
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The checks of a route's `rollout:` block that the schema cannot express, each at its
 * place: steps increasing and ending with 100, durations, gate values, `to` a backend, a
 * canary that agrees with it, match-rate only with shadow traffic.
 */
export function checkRollout(route: Raw, backends: readonly string[], at: (...rest: (string | number)[]) => (string | number)[]): Problem[] {
  const rollout = route.rollout;
  if (!isObject(rollout)) return [];
  const out: Problem[] = [];
  const to = typeof rollout.to === 'string' ? rollout.to : undefined;
  if (to !== undefined && backends.length && !backends.includes(to)) {
    out.push({ path: at('rollout', 'to'), message: `unknown backend "${to}" (known: ${backends.join(', ')})` });
  }
  // `to` equal to the target is allowed here: it is where a finished rollout, or a manual
  // cutover during one, leaves the route. Starting a rollout there is refused (start-rollout.ts).
  if (isObject(route.canary) && typeof route.canary.to === 'string' && to !== undefined && route.canary.to !== to) {
    out.push({ path: at('canary', 'to'), message: `the canary goes to "${route.canary.to}" but the rollout to "${to}": the rollout writes the canary; remove the canary or point the rollout at "${route.canary.to}"` });
  }
  if (Array.isArray(rollout.steps)) {
    const steps = rollout.steps;
    for (const [i, step] of steps.entries()) {
      if (typeof step !== 'number') continue;
      if (!(step > 0 && step <= 100)) out.push({ path: at('rollout', 'steps', i), message: `${step} is not a canary percentage: each step is above 0 and at most 100, e.g. steps: [1, 5, 25, 50, 100]` });
      const previous = steps[i - 1];
      if (i > 0 && typeof previous === 'number' && step <= previous) out.push({ path: at('rollout', 'steps', i), message: `steps must increase: ${step} comes after ${previous}; write e.g. steps: [1, 5, 25, 50, 100]` });
    }
    const last = steps[steps.length - 1];
    if (typeof last === 'number' && last !== 100) out.push({ path: at('rollout', 'steps', steps.length - 1), message: `the last step must be 100 (the step that moves the target), got ${last}: add 100 at the end` });
  }
  for (const key of ['every', 'window'] as const) {
    const value = rollout[key];
    if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) continue;
    const parsed = parseDuration(String(value));
    if (!parsed.ok) out.push({ path: at('rollout', key), message: parsed.reason });
    else if (parsed.ms < 100) out.push({ path: at('rollout', key), message: `"${value}" is too short: at least 100ms` });
    else if (key === 'window' && parsed.ms > MAX_WINDOW_MS) out.push({ path: at('rollout', key), message: `"${value}" is longer than the 15 minutes of figures the proxy keeps: at most 15m` });
  }
  if (isObject(rollout.gates)) {
    for (const [name, value] of Object.entries(rollout.gates)) {
      const parsed = parseGateValue(name, value);
      if (!parsed.ok) out.push({ path: at('rollout', 'gates', name), message: `${parsed.reason}; e.g. ${EXAMPLE_GATES}`, key: parsed.reason.startsWith('unknown gate') });
    }
    const shadowTo = isObject(route.shadow) && typeof route.shadow.to === 'string' ? route.shadow.to : undefined;
    const match = rollout.gates['match-rate'];
    if (match !== undefined && String(match).trim() !== 'off' && to !== undefined && shadowTo !== to) {
      out.push({ path: at('rollout', 'gates', 'match-rate'), message: `the match rate comes from shadow comparisons, and this route does not shadow to "${to}": add shadow: { to: ${to} } to the route, or set match-rate: off` });
    }
  }
  return out;
}

/** The checked block with every default applied. Call only on a block `checkRollout` passed. */
export function buildRollout(block: RolloutBlock, shadowTo: string | undefined): RolloutConfig {
  const every = String(block.every ?? DEFAULT_EVERY);
  const everyMs = durationMs(every);
  const named = block.gates ?? {};
  const value = (key: GateKey): number | undefined => {
    if (key === 'match-rate' && named[key] === undefined && shadowTo !== block.to) return undefined;
    const parsed = parseGateValue(key, named[key] ?? DEFAULT_GATES[key]);
    return parsed.ok ? parsed.value : undefined;
  };
  return Object.freeze({
    to: block.to,
    steps: Object.freeze([...(block.steps ?? DEFAULT_STEPS)]),
    every,
    everyMs,
    windowMs: block.window === undefined ? Math.min(everyMs, MAX_WINDOW_MS) : durationMs(String(block.window)),
    passes: block.passes ?? DEFAULT_PASSES,
    gates: Object.freeze({
      errorRate: value('error-rate'), matchRate: value('match-rate'), latencyP95: value('latency-p95'), latencyP99: value('latency-p99'), criticalErrors: value('critical-errors'),
    }),
    state: block.state,
  });
}

function durationMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`unchecked duration ${text}`);
  return parsed.ms;
}
