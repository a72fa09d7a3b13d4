// What every proxy process shares, whether it routes alone, is a cluster's primary, or one
// of its workers: its settings, its extensions (bridge, shadow, record), its proxy, and its
// graceful stop.
import type { Server } from 'node:http';
import { watchRoutesFile, type RoutesFileWatcher } from './watch-routes-file.js';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, secretList, type resolveSecrets } from '../../lib/env.js';
import type { Logger } from '../../lib/logger.js';
import { openSessionBridge, type SessionBridge } from './bridge/index.js';
import type { TokensConfig } from './config/index.js';
import { createProxy, type ClusterControl, type Proxy } from './create-proxy.js';
import { createRouteTableSource, type SourceRead } from './route-table-source.js';
import { openHistoryStore } from './history/index.js';
import { createRecordExtension, type RecordExtension, type RecordExtensionOptions } from './record/index.js';
import { matchCountsFrom } from './rollout/index.js';
import { createShadowExtension, type ShadowExtension, type ShadowThread, type WriteLog } from './shadow/index.js';

export const NAME = 'proxy';

/** What every proxy process starts from: its settings, read once. */
export interface ProcessSetup {
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: ReturnType<typeof resolveSecrets>;
  readonly port: number;
  readonly host: string;
  readonly routesFile: string;
  readonly logger: Logger;
  /** PROXY_REQUEST_LOG: a log line per request (true) or none (false). */
  readonly requestLog: boolean;
}

/** Where a cluster process sends copies and writes, and whom it tells of recordings. */
export interface ExtensionWiring {
  readonly thread?: ShadowThread;
  readonly writes?: WriteLog;
  readonly onActive?: RecordExtensionOptions['onActive'];
}

/**
 * The session bridge, shadow traffic and recording, as every proxy process has them (a
 * single proxy, a cluster's primary and each worker). The session bridge reads the legacy
 * sessions in the shared database; COOKIE_SECURE is the legacy app's own setting, so cookies
 * set on either side carry the same attributes. Where each session backend keeps its sessions
 * (and how tokens are signed) is in routes.yaml (DESIGN §10): `tokens` is the first table's,
 * fixed for the process.
 */
export async function openExtensions(setup: ProcessSetup, tokens: TokensConfig | undefined, wiring: ExtensionWiring = {}): Promise<{ bridge: SessionBridge; shadow: ShadowExtension; record: RecordExtension }> {
  const { env, secrets, logger } = setup;
  const bridge = await openSessionBridge({
    databasePath: resolve(env.DATABASE_PATH || 'data/app.db'),
    sessionSecrets: secretList(secrets.SESSION_SECRET),
    jwtSecrets: secretList(secrets.JWT_SECRET),
    tokens: tokens ?? { alg: 'EdDSA', ttlSec: 300 },
    signingKeysFile: resolve(env.STRANGLER_SIGNING_KEYS || 'data/signing-keys.json'),
    production: env.NODE_ENV === 'production',
    secureCookies: env.COOKIE_SECURE === 'true',
    logger: logger.child({ component: 'bridge' }),
  });
  // Shadow traffic is idle until a route in routes.yaml has a `shadow` block. It goes before
  // the bridge, so a copy starts from the client's headers and gets its token from the bridge.
  const shadow = createShadowExtension({
    diffsPath: diffsPathOf(env), logger: logger.child({ component: 'shadow' }), authorizeShadow: bridge.authorizeShadow, thread: wiring.thread, writes: wiring.writes,
  });
  // Idle until an admin starts a recording (strangler record); it sees the client's own headers.
  const record = createRecordExtension({ dir: resolve(env.RECORDINGS_DIR || 'data/recordings'), identify: bridge.identify, logger: logger.child({ component: 'record' }), onActive: wiring.onActive });
  return { bridge, shadow, record };
}

export const diffsPathOf = (env: NodeJS.ProcessEnv) => resolve(env.DIFFS_PATH || 'data/diffs.db');

/** PROXY_REQUEST_LOG: `true` (unset) logs a line per request at info; `false` logs none, and keeps every other line. */
export function proxyRequestLog(value: string | undefined): boolean {
  const text = (value ?? '').trim();
  if (text === '' || text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError([`PROXY_REQUEST_LOG must be true or false; got "${text}"`]);
}

/** PROXY_WORKERS: a count of worker processes from 1 to 64, or `auto` (one per core); unset is 1, a single process. */
export function proxyWorkers(value: string | undefined): number {
  const text = (value ?? '').trim();
  if (text === '') return 1;
  if (text === 'auto') return availableParallelism();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 64) throw new ConfigError([`PROXY_WORKERS must be a whole number from 1 to 64, or auto (one per core); got "${text}"`]);
  return n;
}

/** How requests are handled, from the environment: the same in a single proxy and in every cluster worker. */
export function dataPlaneSettings(setup: ProcessSetup): { exposeGeneration: boolean; requestLog: boolean; behindTls: boolean; processMetrics: true } {
  return {
    exposeGeneration: setup.env.PROXY_EXPOSE_GENERATION === 'true',
    requestLog: setup.requestLog,
    // COOKIE_SECURE=true says browsers arrive over TLS terminated in front of the proxy.
    behindTls: setup.env.COOKIE_SECURE === 'true',
    processMetrics: true,
  };
}

/**
 * routes.yaml read once at start-up: the extensions are opened with its token settings and
 * the proxy routes with its table, so both come from the same bytes even if the file is
 * saved in between (the watcher then reloads it).
 */
export function readRoutesAtStart(setup: ProcessSetup): { firstRead: SourceRead; tokens: TokensConfig | undefined } {
  const firstRead = createRouteTableSource(setup.routesFile, setup.env).read({ force: true });
  return { firstRead, tokens: firstRead.ok && !firstRead.unchanged ? firstRead.table.tokens : undefined };
}

/**
 * The proxy of a single process, or of a cluster's primary (`cluster`): built from the
 * start-up read of routes.yaml, the extensions wired, metrics registered. An invalid routes
 * file ends the process.
 */
export function buildProxy(setup: ProcessSetup, { bridge, shadow, record }: Awaited<ReturnType<typeof openExtensions>>, firstRead: SourceRead, cluster?: ClusterControl): Proxy {
  const { env, secrets, routesFile, logger } = setup;
  const created = createProxy(
    {
      routesFile, adminToken: secrets.PROXY_ADMIN_TOKEN, env, ...dataPlaneSettings(setup),
    },
    // Every routing change, who made it and why (strangler history); the CLI writes it too.
    {
      logger, extensions: [shadow, record, bridge], identify: bridge.identify, history: openHistoryStore(resolve(env.HISTORY_PATH || 'data/history.db')),
      // The rollouts' match-rate gate: shadow comparisons of the route, raced ones left out.
      comparisons: matchCountsFrom(shadow.store),
      firstRead,
      ...(cluster ? { cluster } : {}),
    },
  );
  if (!created.ok) {
    console.error(`${NAME}: ${routesFile} is invalid, so the proxy did not start. Fix these and start again (check with \`npx strangler validate\`):\n  - ${created.errors.join('\n  - ')}`);
    process.exit(1);
  }
  const { proxy } = created;
  // Opens the session source now, so a Redis URL or database path that cannot be opened stops start-up.
  bridge.open(proxy.table());
  shadow.registerMetrics(proxy.metrics.registry);
  bridge.registerMetrics(proxy.metrics.registry);
  for (const warning of created.warnings) logger.warn(warning);
  return proxy;
}

/**
 * A stop for SIGTERM/SIGINT: in-flight requests get a moment to finish, idle keep-alive
 * sockets go at once; open WebSocket tunnels would hold server.close() forever, so the
 * 5 s deadline ends them too. Then `close`, then the process exits 0.
 */
export function gracefulStop(logger: Logger, server: Server, steps: { before?: () => void; close: () => Promise<void> }): (signal: NodeJS.Signals) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    steps.before?.();
    let exiting = false;
    const exit = () => {
      if (exiting) return;
      exiting = true;
      void steps.close().finally(() => process.exit(0));
    };
    const force = setTimeout(() => {
      server.closeAllConnections();
      exit();
    }, 5000);
    force.unref();
    server.close(exit);
    server.closeIdleConnections();
  };
}

/**
 * Follows routes.yaml: its changes (unless PROXY_WATCH=false, e.g. a file system without
 * change events) and SIGHUP, which re-reads it whatever its content. Returns the watcher to close.
 */
export function followRoutesFile(setup: ProcessSetup, proxy: Proxy): RoutesFileWatcher | undefined {
  const { env, routesFile, logger } = setup;
  const watcher = env.PROXY_WATCH === 'false' ? undefined : watchRoutesFile(routesFile, () => proxy.reload(), { logger });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: re-reading the routes file');
    proxy.reload({ force: true });
  });
  return watcher;
}

/** The start-up line: where the proxy listens, its routes, and (a cluster) how many workers route. */
export function logListening(setup: ProcessSetup, proxy: Proxy, port: number, workers?: number): void {
  const table = proxy.table();
  setup.logger.info(
    { routes: table.routes.map((r) => `${r.name} -> ${r.target}${r.canary ? ` (canary ${r.canary.percent}% -> ${r.canary.to})` : ''}`), default: table.defaultBackend, ...(workers ? { workers } : {}) },
    `listening on http://${setup.host}:${port}${workers ? ` with ${workers} workers` : ''}, routes from ${setup.routesFile}`,
  );
}
