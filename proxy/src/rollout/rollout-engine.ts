import type { Logger } from '../../../lib/logger.js';
import type { RolloutConfig, RouteConfig, RouteTable } from '../config/index.js';
import type { RolloutEdit } from '../config/edit-rollout.js';
import type { Actor, Attribution, GateReading, HistoryStore } from '../history/index.js';
import { describeRoutingChange, routingOf } from '../history/index.js';
import type { RouteWindows } from '../stats/index.js';
import { describeReading, evaluateGates, overall } from './evaluate-gates.js';
import { describePhase, rolloutPhase, type RolloutPhase } from './rollout-phase.js';
import type { RolloutJson } from './rollout-json.js';
import { createRolloutCommands, type RolloutCommands } from './rollout-commands.js';
import { hasShadowPhase, stepEdit } from './step-edit.js';

/** Shadow comparisons of a route since a moment, raced ones left out. */
export type MatchCounts = (route: string, sinceMs: number) => { judged: number; matched: number } | undefined;

export type WriteRollout = (edit: RolloutEdit, attribution: Attribution) => { ok: true; changes: string[] } | { ok: false; errors: string[] };

export interface RolloutEngineDeps {
  readonly table: () => RouteTable;
  readonly windows: RouteWindows;
  /** One validated write of routes.yaml, then a reload attributed to `attribution`. */
  readonly write: WriteRollout;
  readonly history: HistoryStore;
  readonly comparisons?: MatchCounts;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** What the engine remembers of a rollout between evaluations (the file holds the rest). */
interface Run {
  /** Changes when the step does: the step's figures start again. */
  stepKey: string;
  stepStartedAt: number;
  lastEvalAt: number;
  passes: number;
  /** Failed requests from `to` during this step, for the critical limit. */
  failures: number;
  readings: GateReading[];
  reason: string | null;
  updatedAt: number;
  from: string | undefined;
  busy: boolean;
}

const GATE_ACTOR: Actor = { kind: 'rollout', name: 'gates' };

export interface RolloutEngine extends RolloutCommands {
  /** A table is in force; `attribution` says who changed it (none: the file was edited). */
  onTable(before: RouteTable | undefined, after: RouteTable, attribution?: Attribution): void;
  list(): RolloutJson[];
  /** Evaluates what is due now (the timer calls it; tests may too). */
  tick(): void;
  close(): void;
}

/**
 * Runs the rollouts routes.yaml describes, in the proxy: every `every` it judges each
 * running rollout's gates on the sliding window, advances after `passes` passes in a row,
 * demotes on a failure (or at once when new's failures in a step reach critical-errors), and
 * holds while the evidence is insufficient. Every change is one write of routes.yaml, so the
 * file stays the truth and a restarted proxy picks up at the same step.
 */
export function createRolloutEngine(deps: RolloutEngineDeps): RolloutEngine {
  const clock = deps.clock ?? Date.now;
  const runs = new Map<string, Run>();
  let timer: NodeJS.Timeout | undefined;
  let tickMs = 0;
  let closed = false;

  const rolloutRoutes = () => deps.table().routes.filter((r): r is RouteConfig & { rollout: RolloutConfig } => r.rollout !== undefined);
  const routeNamed = (name: string) => deps.table().routes.find((r) => r.name === name);

  function runOf(route: RouteConfig & { rollout: RolloutConfig }, phase: RolloutPhase): Run {
    const key = `${phase.state}:${phase.percent}:${route.target}`;
    let run = runs.get(route.name);
    const now = clock();
    if (!run) {
      const last = deps.history.list({ route: route.name, limit: 1 })[0];
      run = {
        stepKey: key, stepStartedAt: now, lastEvalAt: now, passes: 0, failures: 0, readings: [],
        reason: last?.reason ?? null, updatedAt: last ? Date.parse(last.at) : now, from: undefined, busy: false,
      };
      runs.set(route.name, run);
    } else if (run.stepKey !== key) {
      // A new step is judged on its own traffic, and shows no verdict of the last one.
      Object.assign(run, { stepKey: key, stepStartedAt: now, lastEvalAt: now, passes: 0, failures: 0, readings: [] });
    }
    if (route.target !== route.rollout.to) run.from = route.target;
    return run;
  }

  function write(route: string, edit: RolloutEdit, attribution: Attribution): { ok: true; changes: string[] } | { ok: false; errors: string[] } {
    const run = runs.get(route);
    if (run) run.busy = true;
    try {
      const result = deps.write(edit, attribution);
      const after = runs.get(route);
      if (after) {
        after.updatedAt = clock();
        if (attribution.reason !== undefined) after.reason = attribution.reason;
      }
      if (!result.ok) deps.logger.error({ route, errors: result.errors }, `rollout of ${route}: could not write routes.yaml: ${result.errors.join('; ')}`);
      else if (result.changes.length) deps.logger.info({ route, actor: `${attribution.actor.kind}:${attribution.actor.name}`, changes: result.changes }, `rollout of ${route}: ${result.changes.join('; ')}${attribution.reason ? ` (${attribution.reason})` : ''}`);
      return result;
    } finally {
      const after = runs.get(route);
      if (after) after.busy = false;
    }
  }

  function evaluate(route: RouteConfig & { rollout: RolloutConfig }, phase: RolloutPhase, run: Run, act: boolean): void {
    const { rollout } = route;
    const now = clock();
    const since = Math.max(run.stepStartedAt, now - rollout.windowMs);
    const readings = evaluateGates(rollout.gates, phase.state === 'shadow' ? 'shadow' : 'canary', {
      next: deps.windows.window(route.name, rollout.to, since),
      legacy: deps.windows.window(route.name, route.target, since),
      comparisons: deps.comparisons?.(route.name, since),
    });
    run.readings = readings;
    if (!act) return;
    const verdict = overall(readings);
    deps.logger.debug({ route: route.name, state: phase.state, step: phase.step, verdict, passes: run.passes }, `rollout of ${route.name}: gates ${verdict} at ${describePhase(phase, rollout.steps)}`);
    if (verdict === 'fail') {
      const failing = readings.filter((r) => r.status === 'fail');
      demote(route, run, failing.map((r) => r.name).join(','), `${failing.map(describeReading).join('; ')}: demoted from ${describePhase(phase, rollout.steps)}`, readings);
    } else if (verdict === 'pass') {
      run.passes += 1;
      if (run.passes >= rollout.passes) {
        const next = phase.step + 1;
        const where = next >= rollout.steps.length - 1 ? `${rollout.to} takes all of ${route.name}` : `step ${next + 1} of ${rollout.steps.length} (${rollout.steps[next]} %)`;
        write(route.name, stepEdit(route.name, rollout, next), {
          actor: GATE_ACTOR, gates: readings,
          reason: `every gate passed ${run.passes} time${run.passes === 1 ? '' : 's'} in a row at ${describePhase(phase, rollout.steps)}${readings.length ? ` (${readings.map(describeReading).join('; ')})` : ' (no gates set)'}: on to ${where}`,
        });
      }
    } else {
      run.passes = 0;
    }
  }

  /** One write: the canary goes (every user back on the target) and the rollout says demoted. */
  function demote(route: RouteConfig & { rollout: RolloutConfig }, run: Run, gate: string, reason: string, readings: GateReading[]): void {
    deps.logger.warn({ route: route.name, gate, failures: run.failures }, `rollout of ${route.name} demoted: ${reason}`);
    write(route.name, { route: route.name, change: { canary: null }, rollout: { state: 'demoted' } }, { actor: { kind: 'rollout', name: gate }, reason, gates: readings });
  }

  function onFailure(routeName: string, backend: string): void {
    const run = runs.get(routeName);
    const route = routeNamed(routeName);
    if (!run || !route?.rollout || backend !== route.rollout.to) return;
    const phase = rolloutPhase(route, route.rollout);
    if (phase.state !== 'canary') return;
    run.failures += 1;
    const limit = route.rollout.gates.criticalErrors;
    if (limit === undefined || run.failures < limit || run.busy) return;
    run.busy = true;
    // Not inside the request's own bookkeeping: the write and reload run right after it.
    setImmediate(() => {
      const current = routeNamed(routeName);
      if (closed || !current?.rollout || rolloutPhase(current, current.rollout).state !== 'canary') {
        run.busy = false;
        return;
      }
      const reason = `critical-errors: ${run.failures} failed requests from ${current.rollout.to} got through during ${describePhase(phase, current.rollout.steps)} (limit ${limit}): demoted at once`;
      demote(current as RouteConfig & { rollout: RolloutConfig }, run, 'critical-errors', reason, run.readings);
    });
  }

  function schedule(): void {
    const routes = rolloutRoutes();
    const wanted = routes.length ? Math.max(25, Math.min(1000, Math.floor(Math.min(...routes.map((r) => r.rollout.everyMs)) / 4))) : 0;
    if (wanted === tickMs) return;
    if (timer) clearInterval(timer);
    timer = undefined;
    tickMs = wanted;
    if (wanted > 0 && !closed) {
      timer = setInterval(() => engine.tick(), wanted);
      timer.unref();
    }
  }

  function json(route: RouteConfig & { rollout: RolloutConfig }): RolloutJson {
    const phase = rolloutPhase(route, route.rollout);
    const run = runOf(route, phase);
    // The gates as they stand now, on the same window the next judgement will use.
    if (phase.state === 'shadow' || phase.state === 'canary' || phase.state === 'paused') evaluate(route, phase, run, false);
    return {
      route: route.name,
      to: route.rollout.to,
      from: run.from ?? formerTarget(route.name, route.rollout.to) ?? deps.table().defaultBackend,
      state: phase.state,
      step: phase.step,
      steps: [...route.rollout.steps],
      percent: phase.percent,
      every: route.rollout.every,
      updatedAt: new Date(run.updatedAt).toISOString(),
      reason: run.reason,
      gates: run.readings,
    };
  }

  function formerTarget(route: string, to: string): string | undefined {
    return deps.history.list({ route, limit: 50 }).find((e) => e.from.target !== undefined && e.from.target !== to)?.from.target;
  }

  const engine: RolloutEngine = {
    onTable(before, after, attribution) {
      const names = new Set<string>();
      for (const route of after.routes) {
        if (!route.rollout) continue;
        names.add(route.name);
        const rollout = route.rollout;
        const phase = rolloutPhase(route, rollout);
        runOf(route as RouteConfig & { rollout: RolloutConfig }, phase);
        const running = phase.state === 'shadow' || phase.state === 'canary';
        const old = before?.routes.find((r) => r.name === route.name);
        const routingChanged = old?.rollout !== undefined && describeRoutingChange({ ...routingOf(old), rollout: null }, { ...routingOf(route), rollout: null }) !== undefined;
        const byPerson = attribution?.actor.kind !== 'rollout';
        const manual = byPerson && routingChanged && old?.rollout?.state === undefined && (running || phase.state === 'new') && rollout.state === undefined;
        if (manual || (running && phase.offStep)) {
          const change = old ? describeRoutingChange(routingOf(old), routingOf(route)) : undefined;
          const who = attribution ? `${attribution.actor.kind}:${attribution.actor.name}` : 'an edit of routes.yaml';
          const reason = `${route.name} was changed by ${who} during the rollout${change ? ` (${change})` : ''}: the rollout is paused; resume it with strangler rollout ${route.name} --resume`;
          deps.logger.warn({ route: route.name }, reason);
          setImmediate(() => {
            if (closed) return;
            write(route.name, { route: route.name, rollout: { state: 'paused' } }, { actor: { kind: 'rollout', name: 'manual-change' }, reason });
          });
          continue;
        }
        if (phase.state === 'shadow' && !hasShadowPhase(route, rollout)) {
          // Nothing to judge without shadow traffic: the first step begins at once.
          setImmediate(() => {
            const current = routeNamed(route.name);
            if (closed || !current?.rollout || rolloutPhase(current, current.rollout).state !== 'shadow') return;
            write(route.name, stepEdit(route.name, current.rollout, 0), { actor: GATE_ACTOR, reason: `${route.name} has no shadow traffic to ${rollout.to} to judge first: straight to step 1 (${rollout.steps[0]} %)` });
          });
        }
      }
      for (const name of runs.keys()) if (!names.has(name)) runs.delete(name);
      schedule();
    },

    list: () => rolloutRoutes().map(json),

    ...createRolloutCommands({ routeNamed, table: deps.table, write, json }),

    tick() {
      if (closed) return;
      const now = clock();
      for (const route of rolloutRoutes()) {
        const phase = rolloutPhase(route, route.rollout);
        const run = runOf(route, phase);
        if (run.busy || now - run.lastEvalAt < route.rollout.everyMs) continue;
        run.lastEvalAt = now;
        if (phase.state === 'shadow' || phase.state === 'canary') {
          if (phase.offStep) continue;
          evaluate(route, phase, run, true);
        } else if (phase.state === 'paused') {
          evaluate(route, phase, run, false);
        }
      }
    },

    close() {
      closed = true;
      if (timer) clearInterval(timer);
      deps.windows.onFailure(undefined);
    },
  };
  deps.windows.onFailure(onFailure);
  return engine;
}
