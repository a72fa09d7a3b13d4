import { createHash } from 'node:crypto';
import type { RouteMatch, RouteTable } from './types.js';

/**
 * Where a user's requests for a route land in the canary split: a stable number in [0, 100)
 * from sha256(route name, NUL, identity). Per route, so one user is not in every canary at once.
 *
 * @example
 * canaryBucket('users', 'user:7') // 41.93… — the same on every call, process and machine
 */
export function canaryBucket(routeName: string, identity: string): number {
  const digest = createHash('sha256').update(routeName).update('\0').update(identity).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/**
 * The identity string the canary hashes: the user id when the session holds a user, else
 * the session id, else the client address. Prefixed by kind so a user id never collides
 * with a session id; the proxy and `strangler explain` both build it here, so they agree.
 */
export function canaryIdentity(who: { userId?: string | number | undefined; sessionId?: string | undefined; clientAddress?: string | undefined }): string | undefined {
  if (who.userId !== undefined && who.userId !== '') return `user:${who.userId}`;
  if (who.sessionId) return `session:${who.sessionId}`;
  if (who.clientAddress) return `addr:${who.clientAddress}`;
  return undefined;
}

export type ChoiceKind = 'default' | 'target' | 'canary' | 'canary-out' | 'canary-no-identity';

export interface BackendChoice {
  readonly backend: string;
  /** One line for a person: why this backend. */
  readonly reason: string;
  /** A short fixed label, fit for logs and metrics. */
  readonly kind: ChoiceKind;
  readonly canary?: { readonly bucket: number; readonly percent: number; readonly to: string };
}

/**
 * Picks the backend for a matched request. A canary of 0 sends no one and 100 everyone;
 * in between, identities whose bucket is below the percent go to `canary.to`, and a request
 * with no identity at all stays on the target (it could not be kept sticky).
 */
export function chooseBackend(table: RouteTable, match: RouteMatch, identity: string | undefined): BackendChoice {
  const route = match.route;
  if (!route) return { backend: table.defaultBackend, kind: 'default', reason: `no route matches: the default backend ${table.defaultBackend}` };
  const canary = route.canary;
  if (!canary || canary.percent <= 0) {
    return { backend: route.target, kind: 'target', reason: `route ${route.name} targets ${route.target}${canary ? ` (canary to ${canary.to} is at 0%)` : ''}` };
  }
  if (canary.percent >= 100) {
    return { backend: canary.to, kind: 'canary', reason: `route ${route.name}: canary sends 100% to ${canary.to}`, canary: { bucket: identity === undefined ? 0 : canaryBucket(route.name, identity), percent: 100, to: canary.to } };
  }
  if (identity === undefined) {
    return { backend: route.target, kind: 'canary-no-identity', reason: `route ${route.name}: no user, session or client address to keep a canary sticky, so the target ${route.target}` };
  }
  const bucket = canaryBucket(route.name, identity);
  const info = { bucket, percent: canary.percent, to: canary.to };
  if (bucket < canary.percent) {
    return { backend: canary.to, kind: 'canary', reason: `route ${route.name}: bucket ${bucket.toFixed(2)} is below the canary's ${canary.percent}%, so ${canary.to}`, canary: info };
  }
  return { backend: route.target, kind: 'canary-out', reason: `route ${route.name}: bucket ${bucket.toFixed(2)} is not below the canary's ${canary.percent}%, so the target ${route.target}`, canary: info };
}
