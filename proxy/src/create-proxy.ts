import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../../lib/logger.js';
import { diffTables, updateRouteInFile, type RouteTable } from './config/index.js';
import { createAdminApp, type ClusterStatus, type ReloadError, type RouteUpdateResult } from './admin/admin-app.js';
import { createOpsConsole } from './console/index.js';
import { createDataPlane } from './data-plane.js';
import type { ProxyExtension } from './extension.js';
import { createHostCheck, parsePublicHosts } from './allowed-hosts.js';
import { identifyBySessionOrAddress, type Identify } from './identify.js';
import { createProxyMetrics, type ProxyMetrics } from './metrics.js';
import { createRouteTableSource, type ReloadResult, type SourceRead } from './route-table-source.js';
import type { RoutingState } from './routing-state.js';
import type { UpgradeListener } from './upgrade-handler.js';
import { openDatabase } from '../../lib/sqlite.js';
import { createHistoryRecorder, createHistoryRouter, createHistoryStore, type Actor, type Attribution, type HistoryStore } from './history/index.js';
import { createRouteWindows, statsJson, type RouteWindows } from './stats/index.js';
import { createRolloutEngine, createRolloutsRouter, type MatchCounts, type RolloutEngine } from './rollout/index.js';
import { updateRolloutInFile, type RolloutEdit } from './config/edit-rollout.js';

export interface ProxyOptions {
  /** routes.yaml: read now, re-read by `reload()`, edited by `PUT /__proxy/routes/:name`. */
  readonly routesFile: string;
  /** The bearer token for `/__proxy/` (all but health). */
  readonly adminToken: string;
  /** For `${VAR:-default}` in backend URLs; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Idle keep-alive sockets to a backend close after this (ms); keep it below the backends' keep-alive timeout (Node: 5000). Default 4000. */
  readonly freeSocketTimeoutMs?: number;
  /** Answer `X-Routes-Generation` on every response (diagnostics, tests). Default false. */
  readonly exposeGeneration?: boolean;
  /** A log line per request at info (PROXY_REQUEST_LOG). Default true. */
  readonly requestLog?: boolean;
  /** Add prom-client's process metrics (CPU, memory, event loop) to `/__proxy/metrics`. Default false. */
  readonly processMetrics?: boolean;
  /** A WebSocket tunnel the backend ended is closed on the client's side this long after (ms), if the client has not closed it. Default 5000. */
  readonly tunnelHalfCloseGraceMs?: number;
  /** The browser reaches the proxy over TLS terminated in front of it (main.ts: COOKIE_SECURE=true): backends are told `X-Forwarded-Proto: https`. Default false. */
  readonly behindTls?: boolean;
  /**
   * Host names browsers may use besides localhost, 127.0.0.1 and [::1]; any other `Host` gets
   * 421 (DNS rebinding). Default: `PUBLIC_HOSTS` of `env` (comma-separated).
   */
  readonly publicHosts?: readonly string[];
  /** Width of the time buckets behind `/__proxy/stats` and the rollout gates (ms). Default 10 000. */
  readonly statsBucketMs?: number;
  /** A change to routes.yaml found on reload waits this long (ms) for the CLI that made it to record itself, else it is recorded as a file edit. Default 2000. */
  readonly historyGraceMs?: number;
}

export interface ProxyDeps {
  readonly logger: Logger;
  /** Who a request comes from, for canary buckets. Default: session id, else client address. */
  readonly identify?: Identify;
  /** The bridge, shadow traffic…: see ProxyExtension. */
  readonly extensions?: readonly ProxyExtension[];
  /** The routing history (HISTORY_PATH); default one in memory. */
  readonly history?: HistoryStore;
  /** Shadow comparisons per route for the rollouts' match-rate gate (the shadow extension's store). */
  readonly comparisons?: MatchCounts;
  /** Set when this proxy is a cluster's primary: its workers route, it keeps the control plane. */
  readonly cluster?: ClusterControl;
  /**
   * routes.yaml as the process already read it (a forced read of `routesFile`), so the
   * extensions it configured and the routing start from the same bytes. Default: read now.
   */
  readonly firstRead?: SourceRead;
}

/** What the primary of a cluster adds to its proxy (cluster/cluster-primary.ts). */
export interface ClusterControl {
  /** A table is in force here: send it to every worker; resolves once they all route with it. */
  publish(generation: number, text: string): Promise<void>;
  /** `/__proxy/metrics`: every worker's figures and the primary's, aggregated. */
  metrics(own: Registry): Promise<string>;
  /** For `/__proxy/health` and `/__proxy/routes`. */
  status(): ClusterStatus;
}

export interface Proxy {
  /** The server's `request` listener. */
  readonly handler: RequestListener;
  /** The server's `upgrade` listener: register it yourself. */
  readonly upgrade: UpgradeListener;
  readonly metrics: ProxyMetrics;
  /** Per-route, per-backend figures over the last 15 minutes. */
  readonly windows: RouteWindows;
  readonly history: HistoryStore;
  /** Runs the rollouts routes.yaml describes (`GET /__proxy/rollouts`). */
  readonly rollouts: RolloutEngine;
  /** The routing state in force (table, generation, forwarders). */
  state(): RoutingState;
  table(): RouteTable;
  /** The table in force as its file's text, for cluster workers (they parse the same text). */
  published(): { generation: number; text: string };
  /**
   * Re-reads routes.yaml. Unchanged content is a no-op unless `force`; an invalid file keeps
   * the table in force. Synchronous: when it returns, new requests use the new table.
   */
  reload(options?: { force?: boolean; attribution?: Attribution }): ReloadResult;
  /** Ends the console streams (server-sent events) for good, which would otherwise hold a stopping server open for its 5 s grace. */
  endStreams(): void;
  /** Closes open WebSocket tunnels, every backend connection, and the extensions. The server is the caller's. */
  close(): Promise<void>;
}

export type CreateProxyResult = { ok: true; proxy: Proxy; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Builds the proxy from routes.yaml: the hot-path request handler, the upgrade handler,
 * the admin app under `/__proxy/`, and hot reload. It does not listen.
 *
 * @example
 * const created = createProxy({ routesFile: 'routes.yaml', adminToken }, { logger });
 * if (!created.ok) throw new Error(created.errors.join('\n'));
 * const server = http.createServer(created.proxy.handler);
 * server.on('upgrade', created.proxy.upgrade);
 */
export function createProxy(options: ProxyOptions, deps: ProxyDeps): CreateProxyResult {
  const { logger } = deps;
  const extensions = deps.extensions ?? [];
  const metrics = createProxyMetrics({ processMetrics: options.processMetrics ?? false });
  const source = createRouteTableSource(options.routesFile, options.env ?? process.env);
  const first = deps.firstRead ?? source.read({ force: true });
  const publicHosts = options.publicHosts ? { ok: true as const, hosts: [...options.publicHosts] } : parsePublicHosts((options.env ?? process.env).PUBLIC_HOSTS);
  if (!first.ok || !publicHosts.ok) return { ok: false, errors: [...(first.ok ? [] : first.errors), ...(publicHosts.ok ? [] : publicHosts.errors)] };
  if (first.unchanged) throw new Error('a forced read cannot be unchanged');

  let lastError: ReloadError | undefined;
  const windows = createRouteWindows({ bucketMs: options.statsBucketMs });
  const history = deps.history ?? createHistoryStore(openDatabase(':memory:'), { ownsDb: true });
  const recorder = createHistoryRecorder(history, { graceMs: options.historyGraceMs, logger });
  const plane = createDataPlane(first.table, options, {
    logger,
    metrics,
    identify: deps.identify ?? identifyBySessionOrAddress,
    hosts: createHostCheck(publicHosts.hosts),
    // Built below: it reads the state this plane routes with.
    admin: (req, res) => admin(req, res),
    windows,
    extensions,
  });
  const state = () => plane.state();
  source.accept(first);
  // Resolves once every worker routes with the newest table (at once without workers).
  let published: Promise<void> = Promise.resolve();
  let publishedText = first.text;

  function reload({ force = false, attribution }: { force?: boolean; attribution?: Attribution } = {}): ReloadResult {
    const next = source.read({ force });
    if (next.ok && next.unchanged) return { ok: true, changed: false, changes: [], generation: state().generation };
    if (!next.ok) {
      if (next.repeated) return { ok: false, errors: next.errors };
      lastError = { at: new Date(), errors: next.errors };
      metrics.reload('error');
      logger.error({ file: options.routesFile, errors: next.errors }, `routes file refused, still routing with generation ${state().generation} (loaded ${state().table.loadedAt.toISOString()}); fix the file and save it again`);
      for (const message of next.errors) logger.error(message);
      return { ok: false, errors: next.errors };
    }
    const before = state().table;
    const { generation } = plane.route(next.table);
    source.accept(next);
    publishedText = next.text;
    if (deps.cluster) {
      published = deps.cluster.publish(generation, next.text);
      // Awaited by a PUT that asked for this change; the cluster logs a worker that failed it.
      published.catch(() => undefined);
    }
    lastError = undefined;
    metrics.reload('success');
    recorder.tableChanged(before, next.table, attribution);
    rollouts.onTable(before, next.table, attribution);
    const changes = diffTables(before, next.table);
    logger.info({ file: options.routesFile, generation, changes: changes.length }, `routes reloaded (generation ${generation})`);
    for (const line of changes) logger.info({ generation }, line);
    for (const warning of next.warnings) logger.warn(warning);
    return { ok: true, changed: true, changes, generation };
  }

  function updateRoute(name: string, change: Parameters<typeof updateRouteInFile>[2], actor: Actor): RouteUpdateResult {
    const known = state().table.routes.map((r) => r.name);
    if (!known.includes(name)) return { ok: false, status: 404, errors: [`unknown route "${name}" (known: ${known.join(', ') || 'none'})`] };
    // A manual flip during a rollout pauses it, in the same write.
    const manual = rollouts.manualChange(name, actor, change);
    const written = manual.pause
      ? updateRolloutInFile(options.routesFile, { route: name, change, rollout: { state: 'paused' } }, options.env ?? process.env)
      : updateRouteInFile(options.routesFile, name, change, options.env ?? process.env);
    if (!written.ok) return { ok: false, status: 400, errors: written.errors };
    const reloaded = reload({ attribution: { actor, reason: manual.note ?? null } });
    if (!reloaded.ok) return { ok: false, status: 500, errors: reloaded.errors };
    return { ok: true, changes: written.changes, state: state(), ...(manual.note && written.changes.length ? { notes: [manual.note] } : {}) };
  }

  function writeRollout(edit: RolloutEdit, attribution: Attribution): { ok: true; changes: string[] } | { ok: false; errors: string[] } {
    const written = updateRolloutInFile(options.routesFile, edit, options.env ?? process.env);
    if (!written.ok) return written;
    const reloaded = reload({ attribution });
    return reloaded.ok ? written : { ok: false, errors: reloaded.errors };
  }
  const rollouts: RolloutEngine = createRolloutEngine({ table: () => state().table, windows, write: writeRollout, history, comparisons: deps.comparisons, logger });
  rollouts.onTable(undefined, state().table);

  // Session cookies carry Secure behind TLS and in production (a browser on http://localhost accepts them too).
  const opsConsole = createOpsConsole({ token: options.adminToken, behindTls: options.behindTls, secureCookies: (options.env ?? process.env).NODE_ENV === 'production' });
  const admin = createAdminApp({
    token: options.adminToken,
    state,
    lastError: () => lastError,
    updateRoute,
    registry: metrics.registry,
    confirmed: () => published,
    ...(deps.cluster ? { metricsText: deps.cluster.metrics.bind(undefined, metrics.registry), cluster: deps.cluster.status } : {}),
    extensions: [...extensions, {
      name: 'stats-and-history',
      registerAdmin(router) {
        router.get('/stats', (_req, res) => { res.json(statsJson(windows)); });
        router.use('/history', createHistoryRouter(history));
        router.use('/rollouts', createRolloutsRouter(rollouts));
      },
    }],
    console: opsConsole,
  });

  const proxy: Proxy = {
    handler: plane.handler,
    upgrade: plane.upgrade,
    metrics,
    windows,
    history,
    rollouts,
    state,
    table: () => state().table,
    published: () => ({ generation: state().generation, text: publishedText }),
    reload,
    endStreams: () => opsConsole.feed.close(),
    async close() {
      rollouts.close();
      opsConsole.close();
      await plane.close();
      recorder.flush();
      history.close();
    },
  };
  return { ok: true, proxy, warnings: first.warnings };
}
