/** Who or what changed the routing. */
export type ActorKind = 'cli' | 'admin-api' | 'rollout' | 'file-edit' | 'console';

export interface Actor {
  readonly kind: ActorKind;
  readonly name: string;
}

/** A route's routing at one moment: what history entries compare. Empty when the route does not exist. */
export interface RouteRouting {
  readonly target?: string;
  readonly canary?: { readonly to: string; readonly percent: number } | null;
  /** The rollout's state, when the route has one. */
  readonly rollout?: string | null;
}

/** One gate's verdict at the moment of a change, as `GET /__proxy/rollouts` shows it (rollout/judge.ts makes them). */
export interface GateReading {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'insufficient';
  readonly value: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly threshold: number;
  readonly samples: number;
  readonly needed: number;
}

export interface NewHistoryEntry {
  /** Route name; `(default)` for the default backend. */
  readonly route: string;
  /** A sentence: `target legacy → new`, `canary new 5% → 25%`. */
  readonly change: string;
  readonly from: RouteRouting;
  readonly to: RouteRouting;
  readonly actor: Actor;
  readonly reason: string | null;
  readonly gates: readonly GateReading[] | null;
}

export interface HistoryEntry extends NewHistoryEntry {
  readonly id: number;
  /** ISO-8601 UTC. */
  readonly at: string;
}

const KINDS: ReadonlySet<string> = new Set<ActorKind>(['cli', 'admin-api', 'rollout', 'file-edit', 'console']);
/** Kinds a caller of the admin API may claim; `rollout` and `file-edit` are the proxy's own. */
const CLAIMABLE: ReadonlySet<string> = new Set<ActorKind>(['cli', 'admin-api', 'console']);

export const ADMIN_TOKEN_ACTOR: Actor = Object.freeze({ kind: 'admin-api', name: 'token' });
export const FILE_EDIT_ACTOR: Actor = Object.freeze({ kind: 'file-edit', name: 'routes.yaml' });

/**
 * The actor an admin API call names in `X-Strangler-Actor: <kind>:<name>` (the CLI sends
 * `cli:<user>`, the console `console:admin`); absent or malformed, `admin-api:token`.
 */
export function actorFromHeader(header: string | string[] | undefined): Actor {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return ADMIN_TOKEN_ACTOR;
  const colon = value.indexOf(':');
  const kind = (colon < 0 ? value : value.slice(0, colon)).trim();
  const name = (colon < 0 ? '' : value.slice(colon + 1)).trim().slice(0, 100);
  if (!CLAIMABLE.has(kind)) return ADMIN_TOKEN_ACTOR;
  return { kind: kind as ActorKind, name: name || 'unknown' };
}

export function isActorKind(kind: string): kind is ActorKind {
  return KINDS.has(kind);
}
