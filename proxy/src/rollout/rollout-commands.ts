import type { RolloutConfig, RouteChange, RouteConfig, RouteTable } from '../config/index.js';
import type { RolloutEdit } from '../config/edit-rollout.js';
import type { Actor, Attribution } from '../history/index.js';
import { planStart, type StartRequest } from './plan-start.js';
import { describePhase, rolloutPhase, stepAtOrBelow, type RolloutPhase } from './rollout-phase.js';
import type { RolloutJson, RolloutResult } from './rollout-json.js';
import { hasShadowPhase, stepEdit } from './step-edit.js';

type Written = { ok: true; changes: string[] } | { ok: false; errors: string[] };

/** What the commands need of the engine. */
export interface CommandContext {
  routeNamed(name: string): RouteConfig | undefined;
  table(): RouteTable;
  write(route: string, edit: RolloutEdit, attribution: Attribution): Written;
  json(route: RouteConfig & { rollout: RolloutConfig }): RolloutJson;
}

/** What a person asks of a rollout; the engine answers these (rollout-engine.ts). */
export interface RolloutCommands {
  start(route: string, request: StartRequest, actor: Actor): RolloutResult;
  pause(route: string, actor: Actor): RolloutResult;
  resume(route: string, actor: Actor): RolloutResult;
  abort(route: string, actor: Actor): RolloutResult;
  /** A person is about to change a route's routing: the pause to write with it, if a rollout runs there and the change moves anyone. */
  manualChange(route: string, actor: Actor, change: RouteChange): { pause: boolean; note?: string };
}

/**
 * What a person (CLI, admin API, console) asks of a rollout: start, pause, resume, abort,
 * and the pause a manual flip brings. Each is one write of routes.yaml, or a refusal that
 * names the problem and the fix (404 unknown route, 409 a conflict, 400 bad settings).
 */
export function createRolloutCommands(ctx: CommandContext): RolloutCommands {
  const { routeNamed, write, json } = ctx;

  function result(route: string, outcome: { ok: true; changes: string[] } | { ok: false; errors: string[] }): RolloutResult {
    if (!outcome.ok) return { ok: false, status: 400, error: outcome.errors.join('; '), errors: outcome.errors };
    const current = routeNamed(route);
    if (!current?.rollout) return { ok: false, status: 500, error: `the rollout of ${route} is not in the table the proxy loaded: check the proxy's log` };
    return { ok: true, rollout: json(current as RouteConfig & { rollout: RolloutConfig }), changes: outcome.changes };
  }

  function existing(name: string): { ok: true; route: RouteConfig & { rollout: RolloutConfig }; phase: RolloutPhase } | { ok: false; status: 404 | 409; error: string } {
    const route = routeNamed(name);
    const known = ctx.table().routes.map((r) => r.name);
    if (!route) return { ok: false, status: 404, error: `unknown route "${name}" (known: ${known.join(', ') || 'none'})` };
    if (!route.rollout) return { ok: false, status: 409, error: `${name} has no rollout: start one with strangler rollout ${name} --to <backend>` };
    return { ok: true, route: route as RouteConfig & { rollout: RolloutConfig }, phase: rolloutPhase(route, route.rollout) };
  }

  return {
    start(name, request, actor) {
      const route = routeNamed(name);
      const known = ctx.table().routes.map((r) => r.name);
      if (!route) return { ok: false, status: 404, error: `unknown route "${name}" (known: ${known.join(', ') || 'none'})` };
      const planned = planStart(ctx.table(), route, request);
      if (!planned.ok) return planned;
      const { spec } = planned;
      // A canary already sending a share to `to` is where the rollout starts: nobody in it goes back.
      const held = route.canary?.to === spec.to ? stepAtOrBelow(spec.steps, route.canary.percent) : -1;
      const first = held >= 0 ? held : planned.shadowFirst ? -1 : 0;
      const { change } = stepEdit(name, { to: spec.to, steps: spec.steps } as RolloutConfig, first);
      const where = held >= 0 ? `, at step ${held + 1} (${spec.steps[held]} %), the highest at or under the route's canary of ${route.canary?.percent} %`
        : planned.shadowFirst ? ', judged on shadow comparisons first' : '';
      return result(name, write(name, { route: name, change, rollout: { set: spec } }, {
        actor,
        reason: `rollout to ${spec.to} started: steps ${spec.steps.join(', ')} % every ${spec.every}${where}`,
      }));
    },

    pause(name, actor) {
      const found = existing(name);
      if (!found.ok) return found;
      const { phase } = found;
      if (phase.state !== 'shadow' && phase.state !== 'canary') return { ok: false, status: 409, error: `the rollout of ${name} is ${phase.state}, not running: ${phase.state === 'new' ? 'it is finished' : `resume it (strangler rollout ${name} --resume) or abort it`}` };
      return result(name, write(name, { route: name, rollout: { state: 'paused' } }, { actor, reason: `paused by ${actor.kind}:${actor.name} at ${describePhase(phase, found.route.rollout.steps)}` }));
    },

    resume(name, actor) {
      const found = existing(name);
      if (!found.ok) return found;
      const { route, phase } = found;
      if (phase.state !== 'paused' && phase.state !== 'demoted') return { ok: false, status: 409, error: `the rollout of ${name} is ${phase.state}: only a paused or demoted rollout resumes` };
      const rollout = route.rollout;
      let edit: RolloutEdit = { route: name, rollout: { state: null } };
      let where = phase.state === 'demoted' ? (hasShadowPhase(route, rollout) ? 'the shadow phase' : `step 1 (${rollout.steps[0]} %)`) : describePhase({ ...phase, state: 'canary' }, rollout.steps);
      if (route.target === rollout.to) {
        edit = { route: name, change: { canary: null }, rollout: { state: 'done' } };
        where = `${rollout.to}: the route already targets it`;
      } else if (phase.offStep) {
        const at = stepAtOrBelow(rollout.steps, phase.percent);
        edit = { ...stepEdit(name, rollout, at), rollout: { state: null } };
        where = at < 0 ? 'the start' : `step ${at + 1} (${rollout.steps[at]} %), the highest step at or under the canary's ${phase.percent} %`;
      }
      return result(name, write(name, edit, { actor, reason: `resumed by ${actor.kind}:${actor.name} from ${phase.state}, at ${where}` }));
    },

    abort(name, actor) {
      const found = existing(name);
      if (!found.ok) return found;
      const { route, phase } = found;
      const finished = phase.state === 'new';
      const edit: RolloutEdit = { route: name, ...(finished ? {} : { change: { canary: null } }), rollout: { remove: true } };
      const outcome = write(name, edit, { actor, reason: `aborted by ${actor.kind}:${actor.name} at ${describePhase(phase, route.rollout.steps)}${finished ? '' : `: every user back on ${route.target}`}` });
      if (!outcome.ok) return { ok: false, status: 400, error: outcome.errors.join('; '), errors: outcome.errors };
      return { ok: true, changes: outcome.changes, rollout: { ...json(route), state: phase.state, reason: `aborted by ${actor.kind}:${actor.name}` } };
    },

    manualChange(name, actor, change) {
      const route = routeNamed(name);
      if (!route?.rollout) return { pause: false };
      const canary = change.canary === undefined ? route.canary : change.canary ?? undefined;
      const moves = (change.target !== undefined && change.target !== route.target) || canary?.to !== route.canary?.to || canary?.percent !== route.canary?.percent;
      if (!moves) return { pause: false };
      const phase = rolloutPhase(route, route.rollout);
      if (phase.state !== 'shadow' && phase.state !== 'canary') return { pause: false };
      return { pause: true, note: `the rollout of ${name} (${describePhase(phase, route.rollout.steps)}) is paused: ${actor.kind}:${actor.name} changed its routing by hand; resume it with strangler rollout ${name} --resume` };
    },

  };
}
