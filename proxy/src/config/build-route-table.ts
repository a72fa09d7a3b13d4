import { compileRoute, methodAllowed, type CompiledRoute } from './compiled-route.js';
import { matchPattern, pathSegments, type PathPattern } from './path-pattern.js';
import { buildRollout } from './rollout-settings.js';
import type { RoutesFile } from './schema.js';
import type { BackendConfig, RouteConfig, RouteMatch, RouteTable, SessionConfig, TokensConfig } from './types.js';

const NO_MATCH: RouteMatch = Object.freeze({ route: undefined, pattern: undefined });

/** A Map whose writers throw: the table is shared by every request in flight. */
function frozenMap<K, V>(entries: Iterable<[K, V]>): ReadonlyMap<K, V> {
  const map = new Map(entries);
  const refuse = (): never => { throw new TypeError('the route table is read-only'); };
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}

/** Builds the frozen table from a file that passed every check. */
export function buildRouteTable(
  file: RoutesFile, urls: ReadonlyMap<string, URL>, patterns: ReadonlyMap<string, PathPattern>, source: string,
  sessions: ReadonlyMap<string, SessionConfig> = new Map(),
): { table: RouteTable; compiled: readonly CompiledRoute[] } {
  const backends = frozenMap(Object.entries(file.backends).map(([name, b]): [string, BackendConfig] => {
    const url = urls.get(name);
    if (!url) throw new Error(`backend ${name} has no checked URL`);
    return [name, Object.freeze({
      name, url, auth: b.auth, timeoutMs: b.timeout_ms,
      session: b.auth === 'session' ? sessions.get(name) : undefined,
      audience: b.auth === 'jwt' ? (b.audience ?? `strangler:${name}`) : undefined,
    })];
  }));
  const routes = (file.routes ?? []).map((r, index): RouteConfig => Object.freeze({
    name: r.name,
    index,
    paths: Object.freeze([...r.paths]),
    methods: r.methods ? Object.freeze([...new Set(r.methods)]) : undefined,
    target: r.target,
    canary: r.canary ? Object.freeze({ to: r.canary.to, percent: r.canary.percent }) : undefined,
    ...(r.redact?.length ? { redact: Object.freeze([...new Set(r.redact)]) } : {}),
    ...(r.database ? { database: r.database } : {}),
    ...(r.rollout ? { rollout: buildRollout(r.rollout, r.shadow?.to) } : {}),
    shadow: r.shadow ? Object.freeze({
      to: r.shadow.to,
      methods: Object.freeze([...new Set(r.shadow.methods)]),
      percent: r.shadow.percent,
      ignore: Object.freeze([...r.shadow.ignore]),
      unsafe: r.shadow.unsafe,
      unordered: r.shadow.unordered,
      headers: Object.freeze(r.shadow.headers.map((h) => h.toLowerCase())),
      noise: r.shadow.noise,
      timeoutMs: r.shadow.timeout_ms,
    }) : undefined,
  }));
  const compiled = Object.freeze(routes.map((r) => compileRoute(r, patterns)));

  function match(method: string, path: string): RouteMatch {
    const q = path.indexOf('?');
    const segments = pathSegments(q >= 0 ? path.slice(0, q) : path);
    for (const c of compiled) {
      if (!methodAllowed(c.methods, method)) continue;
      for (let i = 0; i < c.patterns.length; i++) {
        if (matchPattern(c.patterns[i] as PathPattern, segments)) return c.matches[i] as RouteMatch;
      }
    }
    return NO_MATCH;
  }

  const table: RouteTable = Object.freeze({
    version: 1 as const,
    backends,
    defaultBackend: file.default,
    routes: Object.freeze(routes),
    tokens: Object.freeze<TokensConfig>({ alg: file.tokens?.alg ?? 'EdDSA', ttlSec: file.tokens?.ttl_s ?? 300 }),
    ...(file.replay ? { replay: file.replay } : {}),
    source,
    loadedAt: new Date(),
    match,
  });
  return { table, compiled };
}
