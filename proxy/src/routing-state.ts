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
 * Forwarders by backend name and URL, kept for the proxy's lifetime: a reload that keeps a
 * backend's URL keeps its forwarder (warm sockets), and one that brings an old URL back
 * (a rollback) gets the old forwarder again. Keeping them matters beyond warm sockets:
 * http-proxy-middleware ties each instance to the server's `close` event, so creating one
 * per reload would pile up listeners for as long as the process runs.
 */
export interface ForwarderPool {
  get(name: string, url: URL): BackendProxy;
  /** Every forwarder ever created (for shutdown). */
  all(): Iterable<BackendProxy>;
}

export function createForwarderPool(options: BackendProxyOptions): ForwarderPool {
  const forwarders = new Map<string, BackendProxy>();
  return {
    get(name, url) {
      const key = `${name}\u0000${url.href}`;
      let forwarder = forwarders.get(key);
      if (!forwarder) {
        forwarder = createBackendProxy(name, url, options);
        forwarders.set(key, forwarder);
      }
      return forwarder;
    },
    all: () => forwarders.values(),
  };
}

/**
 * The state for a newly loaded table. Forwarders no longer used are retired: their sockets
 * close once their last exchange ends.
 */
export function nextRoutingState(previous: RoutingState | undefined, table: RouteTable, pool: ForwarderPool): RoutingState {
  const backends = new Map<string, BackendProxy>();
  for (const [name, config] of table.backends) {
    const forwarder = pool.get(name, config.url);
    forwarder.revive();
    backends.set(name, forwarder);
  }
  if (previous) {
    const kept = new Set(backends.values());
    for (const old of previous.backends.values()) if (!kept.has(old)) old.retire();
  }
  return { table, generation: (previous?.generation ?? 0) + 1, backends };
}
