import { DEFAULT_EVERY, DEFAULT_STEPS, parseGateValue, type RouteConfig, type RouteTable } from '../config/index.js';
import type { RolloutBlockSpec } from '../config/edit-rollout.js';
import { parseDuration } from '../record/parse-duration.js';

/** `POST /__proxy/rollouts/:route` `{"action":"start", …}` and `strangler rollout <route> --to`. */
export interface StartRequest {
  readonly to: string;
  readonly steps?: readonly number[];
  readonly every?: string;
  readonly window?: string;
  readonly passes?: number;
  readonly gates?: Readonly<Record<string, string | number>>;
}

export type StartPlan =
  | { ok: true; spec: RolloutBlockSpec; shadowFirst: boolean }
  | { ok: false; status: 400 | 409; error: string; errors?: string[] };

/**
 * Checks a start against the route as it stands: `to` a backend other than the target, no
 * rollout already there, durations and gates that parse. The block's own checks (the same
 * as for a hand-written one: steps increasing to 100, …) run when the file is written.
 */
export function planStart(table: RouteTable, route: RouteConfig, request: StartRequest): StartPlan {
  const backends = [...table.backends.keys()];
  if (!table.backends.has(request.to)) return { ok: false, status: 400, error: `unknown backend "${request.to}" (known: ${backends.join(', ')})` };
  if (route.target === request.to) {
    return { ok: false, status: 409, error: `${route.name} already targets ${request.to}: there is nothing to roll out. To roll out again, roll back first (strangler rollback ${route.name})` };
  }
  const current = route.rollout;
  if (current && current.state !== 'done' && route.target !== current.to) {
    return { ok: false, status: 409, error: `${route.name} already has a rollout to ${current.to}${current.state ? ` (${current.state})` : ''}: one rollout per route. Abort it first (strangler rollout ${route.name} --abort), or resume it` };
  }
  const errors: string[] = [];
  for (const [key, value] of [['every', request.every], ['window', request.window]] as const) {
    if (value === undefined) continue;
    const parsed = parseDuration(value);
    if (!parsed.ok) errors.push(`${key}: ${parsed.reason}`);
  }
  for (const [name, value] of Object.entries(request.gates ?? {})) {
    const parsed = parseGateValue(name, value);
    if (!parsed.ok) errors.push(`gates.${name}: ${parsed.reason}`);
  }
  if (errors.length) return { ok: false, status: 400, error: errors.join('; '), errors };
  const spec: RolloutBlockSpec = {
    to: request.to,
    steps: request.steps ?? DEFAULT_STEPS,
    every: request.every ?? DEFAULT_EVERY,
    ...(request.window !== undefined ? { window: request.window } : {}),
    ...(request.passes !== undefined ? { passes: request.passes } : {}),
    ...(request.gates && Object.keys(request.gates).length ? { gates: request.gates } : {}),
  };
  // Steps and the rest get the same checks as a hand-written block when the file is written,
  // each with its place in the file.
  const matchOff = request.gates?.['match-rate'] !== undefined && String(request.gates['match-rate']).trim() === 'off';
  const shadowFirst = route.shadow?.to === request.to && !matchOff;
  return { ok: true, spec, shadowFirst };
}
