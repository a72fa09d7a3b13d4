import type { RouteConfig, RouteTable } from '../config/index.js';
import type { RouteRouting } from './history-entry.js';

export interface RoutingChange {
  readonly route: string;
  readonly change: string;
  readonly from: RouteRouting;
  readonly to: RouteRouting;
}

/** The default backend's entries carry this route name. */
export const DEFAULT_ROUTE_NAME = '(default)';

/** What routes a route's requests: target, canary and the rollout's state. */
export function routingOf(route: RouteConfig | undefined): RouteRouting {
  if (!route) return {};
  const rollout = (route as { rollout?: { state?: string } }).rollout;
  return {
    target: route.target,
    canary: route.canary ? { to: route.canary.to, percent: route.canary.percent } : null,
    ...(rollout ? { rollout: rollout.state ?? 'running' } : {}),
  };
}

/**
 * One entry per route whose routing differs between two tables, with a sentence for a
 * person: `target legacy → new; canary new 25% removed`. Paths, methods and shadow
 * settings are not routing changes and are left out.
 *
 * @example
 * routingChanges(before, after) // [{ route: 'users', change: 'target legacy → new', from: {…}, to: {…} }]
 */
export function routingChanges(before: RouteTable, after: RouteTable): RoutingChange[] {
  const out: RoutingChange[] = [];
  if (before.defaultBackend !== after.defaultBackend) {
    out.push({ route: DEFAULT_ROUTE_NAME, change: `default ${before.defaultBackend} → ${after.defaultBackend}`, from: { target: before.defaultBackend }, to: { target: after.defaultBackend } });
  }
  const oldRoutes = new Map(before.routes.map((r) => [r.name, r]));
  const newRoutes = new Map(after.routes.map((r) => [r.name, r]));
  for (const [name, route] of oldRoutes) {
    if (!newRoutes.has(name)) out.push({ route: name, change: `route removed (was → ${route.target})`, from: routingOf(route), to: {} });
  }
  for (const [name, route] of newRoutes) {
    const old = oldRoutes.get(name);
    if (!old) {
      out.push({ route: name, change: `route added (→ ${route.target})`, from: {}, to: routingOf(route) });
      continue;
    }
    const sentence = describeRoutingChange(routingOf(old), routingOf(route));
    if (sentence) out.push({ route: name, change: sentence, from: routingOf(old), to: routingOf(route) });
  }
  return out;
}

/** `target legacy → new`, `canary new 5% → 25%`, `rollout running → paused`, joined by "; "; undefined when equal. */
export function describeRoutingChange(a: RouteRouting, b: RouteRouting): string | undefined {
  const parts: string[] = [];
  if (a.target !== b.target) parts.push(`target ${a.target ?? 'none'} → ${b.target ?? 'none'}`);
  const ca = a.canary ?? undefined;
  const cb = b.canary ?? undefined;
  if (!ca && cb) parts.push(`canary → ${cb.to} ${cb.percent}%`);
  else if (ca && !cb) parts.push(`canary ${ca.to} ${ca.percent}% removed`);
  else if (ca && cb && ca.to !== cb.to) parts.push(`canary ${ca.to} ${ca.percent}% → ${cb.to} ${cb.percent}%`);
  else if (ca && cb && ca.percent !== cb.percent) parts.push(`canary ${cb.to} ${ca.percent}% → ${cb.percent}%`);
  const ra = a.rollout ?? undefined;
  const rb = b.rollout ?? undefined;
  if (ra !== rb) parts.push(!ra ? `rollout added (${rb})` : !rb ? 'rollout removed' : `rollout ${ra} → ${rb}`);
  return parts.length ? parts.join('; ') : undefined;
}

export function sameRouting(a: RouteRouting, b: RouteRouting): boolean {
  return describeRoutingChange(a, b) === undefined && (a.target === undefined) === (b.target === undefined);
}
