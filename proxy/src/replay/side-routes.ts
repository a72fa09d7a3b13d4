import type { YAMLMap } from 'yaml';
import { isMap, isSeq, parseDocument } from 'yaml';

/** Which backend answers on one side of a replay. */
export type SideRouting =
  /** Every request to one backend (a plain replay, and the rollback check's baseline). */
  | { readonly kind: 'all'; readonly backend: string }
  /** Unsafe methods to `writes`, everything else to `reads` (the rollback check). */
  | { readonly kind: 'split'; readonly writes: string; readonly reads: string };

export interface SideRoutesInput {
  /** routes.yaml as written. */
  readonly text: string;
  readonly routing: SideRouting;
  /** Backend name → the origin of its process on this side; backends left out point nowhere. */
  readonly urls: Readonly<Record<string, string>>;
  /** The database copy: a sqlite session source that names its own `path` reads this instead. */
  readonly database: string;
}

const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
// A port nothing listens on: a backend with no process on this side refuses at once.
const NOWHERE = 'http://127.0.0.1:9';

/**
 * routes.yaml rewritten for one side of a replay: backends at that side's processes, every
 * route (and the default) to that side's backend, no canary, shadow or rollout, and a sqlite
 * session source on the side's database copy. The bridge settings (cookie, user, claims,
 * tokens) stay as written, so users are logged in exactly as the proxy would log them in.
 */
export function sideRoutes(input: SideRoutesInput): string {
  const doc = parseDocument(input.text);
  doc.delete('replay');
  const backends = doc.get('backends');
  if (isMap(backends)) {
    for (const pair of backends.items) {
      const name = String((pair.key as { value?: unknown }).value ?? pair.key);
      doc.setIn(['backends', name, 'url'], input.urls[name] ?? NOWHERE);
      if (doc.hasIn(['backends', name, 'session', 'sqlite', 'path'])) doc.setIn(['backends', name, 'session', 'sqlite', 'path'], input.database);
    }
  }
  const routing = input.routing;
  doc.set('default', routing.kind === 'all' ? routing.backend : routing.reads);
  const routes = doc.get('routes');
  if (isSeq(routes)) {
    const out: unknown[] = [];
    for (const item of routes.items) {
      if (!isMap(item)) continue;
      for (const key of ['canary', 'shadow', 'rollout']) item.delete(key);
      if (routing.kind === 'all') {
        item.set('target', routing.backend);
        out.push(item);
        continue;
      }
      const methods = item.get('methods');
      const listed = isSeq(methods) ? methods.items.map((m) => String((m as { value?: unknown }).value ?? m).toUpperCase()) : undefined;
      const writes = listed ? UNSAFE.filter((m) => listed.includes(m)) : UNSAFE;
      if (writes.length) {
        const copy = item.clone() as YAMLMap;
        copy.set('name', `${String(item.get('name'))}-writes`);
        copy.set('methods', doc.createNode(writes, { flow: true }));
        copy.set('target', routing.writes);
        out.push(copy);
      }
      item.set('target', routing.reads);
      out.push(item);
    }
    routes.items = out as typeof routes.items;
  }
  return doc.toString();
}
