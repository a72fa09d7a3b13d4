import type { RouteTable } from './config/index.js';
import { createBackendProxy, type BackendProxy, type BackendProxyOptions } from './backend-proxy.js';

/**
 * What a request is routed with: a table, its generation, and a forwarder per backend.
 * Replaced as a whole on reload (one reference swap); a request keeps the state it started
 * with, so its backend's forwarder stays alive until it ends.
 */
export interface RoutingState {
  readonly table: RouteTable;
  readonly generation: number;
  readonly backends: ReadonlyMap<string, BackendProxy>;
}

/**
 * The state for a newly loaded table. Forwarders whose backend kept its name and URL are
 * carried over (their keep-alive sockets stay warm); the rest are created, and the old ones
 * no longer used are retired: closed once their last exchange ends.
 */
export function nextRoutingState(previous: RoutingState | undefined, table: RouteTable, options: BackendProxyOptions): RoutingState {
  const backends = new Map<string, BackendProxy>();
  for (const [name, config] of table.backends) {
    const old = previous?.backends.get(name);
    backends.set(name, old && old.href === config.url.href ? old : createBackendProxy(name, config.url, options));
  }
  if (previous) {
    for (const [name, old] of previous.backends) if (backends.get(name) !== old) old.retire();
  }
  return { table, generation: (previous?.generation ?? 0) + 1, backends };
}
