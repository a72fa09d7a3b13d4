import { describeCanaryChange, describeTargetChange } from './describe-change.js';
import { routeTableToJson, type RouteJson, type RouteTableJson } from './route-table-json.js';
import type { RouteTable } from './types.js';

type Routing = Pick<RouteTableJson, 'default' | 'backends' | 'routes'>;

/**
 * One line per change in routing between two tables, in the words the proxy logs on reload
 * and cutover prints: `users: legacy -> new`, `users: canary new 25% -> 50%`. Empty when
 * the two route every request alike.
 *
 * @example
 * diffTables(before, after) // ['users: legacy -> new', 'route billing added (-> legacy)']
 */
export function diffTables(before: RouteTable, after: RouteTable): string[] {
  return diffRouting(routeTableToJson(before), routeTableToJson(after));
}

/** The same comparison on the JSON form, e.g. the file against what a running proxy reports. */
export function diffRouting(before: Routing, after: Routing): string[] {
  const out: string[] = [];
  if (before.default !== after.default) out.push(`default: ${before.default} -> ${after.default}`);

  const oldBackends = new Map(before.backends.map((b) => [b.name, b]));
  const newBackends = new Map(after.backends.map((b) => [b.name, b]));
  for (const name of oldBackends.keys()) if (!newBackends.has(name)) out.push(`backend ${name} removed`);
  for (const [name, b] of newBackends) {
    const old = oldBackends.get(name);
    if (!old) out.push(`backend ${name} added (${b.url})`);
    else {
      if (old.url !== b.url) out.push(`backend ${name}: url ${old.url} -> ${b.url}`);
      if (old.auth !== b.auth) out.push(`backend ${name}: auth ${old.auth} -> ${b.auth}`);
      if (old.timeout_ms !== b.timeout_ms) out.push(`backend ${name}: timeout ${old.timeout_ms} ms -> ${b.timeout_ms} ms`);
    }
  }

  const oldRoutes = new Map(before.routes.map((r) => [r.name, r]));
  const newRoutes = new Map(after.routes.map((r) => [r.name, r]));
  for (const name of oldRoutes.keys()) if (!newRoutes.has(name)) out.push(`route ${name} removed`);
  for (const [name, r] of newRoutes) {
    const old = oldRoutes.get(name);
    if (!old) out.push(`route ${name} added (-> ${r.target})`);
    else out.push(...diffRoute(old, r));
  }
  const oldOrder = before.routes.map((r) => r.name).filter((n) => newRoutes.has(n));
  const newOrder = after.routes.map((r) => r.name).filter((n) => oldRoutes.has(n));
  if (oldOrder.join() !== newOrder.join()) out.push(`route order: ${oldOrder.join(', ')} -> ${newOrder.join(', ')}`);
  return out;
}

function diffRoute(a: RouteJson, b: RouteJson): string[] {
  const out: string[] = [];
  const name = b.name;
  if (a.target !== b.target) out.push(describeTargetChange(name, a.target, b.target));
  const canary = describeCanaryChange(name, a.canary ?? undefined, b.canary ?? undefined);
  if (canary) out.push(canary);
  if (a.paths.join() !== b.paths.join()) out.push(`${name}: paths ${a.paths.join(', ')} -> ${b.paths.join(', ')}`);
  const methods = (m: string[] | null) => (m ? m.join(', ') : 'any');
  if (methods(a.methods) !== methods(b.methods)) out.push(`${name}: methods ${methods(a.methods)} -> ${methods(b.methods)}`);
  if (!a.shadow && b.shadow) out.push(`${name}: shadow to ${b.shadow.to} added`);
  else if (a.shadow && !b.shadow) out.push(`${name}: shadow to ${a.shadow.to} removed`);
  else if (a.shadow && b.shadow && JSON.stringify(a.shadow) !== JSON.stringify(b.shadow)) out.push(`${name}: shadow to ${b.shadow.to} changed`);
  return out;
}
