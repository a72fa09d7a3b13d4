import type { RequestListener } from 'node:http';
import type { Logger } from '../../lib/logger.js';
import type { RouteTable } from './config/index.js';
import { createExchangeEvents } from './exchange-events.js';
import { collectHooks, type ProxyExtension } from './extension.js';
import { createHttpHandler } from './http-handler.js';
import type { HostCheck } from './allowed-hosts.js';
import type { Identify } from './identify.js';
import type { ProxyMetrics } from './metrics.js';
import { createForwarderPool, nextRoutingState, type RoutingState } from './routing-state.js';
import type { RouteWindows } from './stats/index.js';
import { createUpgradeHandler, type UpgradeListener } from './upgrade-handler.js';

export interface DataPlaneOptions {
  /** The first table's generation: a cluster's primary numbers the tables its workers get. Default 1. */
  readonly generation?: number;
  /** Idle keep-alive sockets to a backend close after this (ms). Default 4000. */
  readonly freeSocketTimeoutMs?: number;
  /** Answer `X-Routes-Generation` on every response. Default false. */
  readonly exposeGeneration?: boolean;
  /** A log line per request at info. Default true. */
  readonly requestLog?: boolean;
  /** After the backend ends a tunnel, the client's side is closed this long later (ms). */
  readonly tunnelHalfCloseGraceMs?: number;
  /** Backends are told `X-Forwarded-Proto: https`. */
  readonly behindTls?: boolean;
}

export interface DataPlaneDeps {
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly identify: Identify;
  readonly hosts: HostCheck;
  /** Whatever answers `/__proxy/`: the admin app, or a worker's pass-through to its primary. */
  readonly admin: RequestListener;
  readonly windows?: RouteWindows;
  readonly extensions?: readonly ProxyExtension[];
}

export interface DataPlane {
  readonly handler: RequestListener;
  readonly upgrade: UpgradeListener;
  state(): RoutingState;
  /**
   * Routes with `table` from now on (one reference swap; a request keeps the state it began
   * with), numbered `generation`, or the next one when none is given. Extensions hear of it.
   */
  route(table: RouteTable, generation?: number): RoutingState;
  /** Ends open tunnels, closes every forwarder's sockets, then closes the extensions. */
  close(): Promise<void>;
}

/**
 * The hot path, shared by a single proxy and a cluster's workers: the forwarders, the
 * request and upgrade handlers, the extensions' hooks, and the routing state they read.
 * What differs between the two (who reads routes.yaml, who answers `/__proxy/`) is passed in.
 */
export function createDataPlane(table: RouteTable, options: DataPlaneOptions, deps: DataPlaneDeps): DataPlane {
  const { logger, metrics, identify, hosts, admin, windows } = deps;
  const extensions = deps.extensions ?? [];
  const hooks = collectHooks(extensions);
  const pool = createForwarderPool({
    freeSocketTimeoutMs: options.freeSocketTimeoutMs ?? 4000,
    on: createExchangeEvents({ metrics, logger, hooks, exposeGeneration: options.exposeGeneration ?? false }),
    logger,
  });
  // The one mutable reference a new table swaps; every request reads it once.
  const first = nextRoutingState(undefined, table, pool);
  let state: RoutingState = options.generation === undefined ? first : { ...first, generation: options.generation };
  for (const extension of extensions) extension.onTable?.(table);

  const handler = createHttpHandler({ state: () => state, admin, identify, hooks, metrics, logger, behindTls: options.behindTls, hosts, windows, requestLog: options.requestLog });
  const upgrades = createUpgradeHandler({ state: () => state, identify, hooks, metrics, logger, halfCloseGraceMs: options.tunnelHalfCloseGraceMs, behindTls: options.behindTls, hosts });

  return {
    handler,
    upgrade: upgrades.listener,
    state: () => state,
    route(next, generation) {
      const routed = nextRoutingState(state, next, pool);
      state = generation === undefined ? routed : { ...routed, generation };
      for (const extension of extensions) extension.onTable?.(next);
      return state;
    },
    async close() {
      upgrades.closeAll();
      for (const forwarder of pool.all()) forwarder.destroy();
      for (const extension of extensions) await extension.close?.();
    },
  };
}
