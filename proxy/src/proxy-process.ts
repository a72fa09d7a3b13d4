// The proxy's process (runProxyProcess): reads the environment and routes.yaml, opens the
// session bridge and shadow traffic, listens on PROXY_PORT, follows changes to routes.yaml
// (and SIGHUP), and stops cleanly on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { envPort, loadDotEnv, resolveSecrets, secretList } from '../../lib/env.js';
import { listen } from '../../lib/listen.js';
import { createLogger } from '../../lib/logger.js';
import { openSessionBridge } from './bridge/index.js';
import { loadRouteTable } from './config/index.js';
import { createProxy } from './create-proxy.js';
import { createRecordExtension } from './record/index.js';
import { createShadowExtension } from './shadow/index.js';
import { openHistoryStore } from './history/index.js';
import { matchCountsFrom } from './rollout/index.js';
import { watchRoutesFile } from './watch-routes-file.js';

const NAME = 'proxy';

export interface ProxyProcessOptions {
  /** The routes file; default ROUTES_FILE, then ./routes.yaml. */
  readonly routesFile?: string;
  /** The port to listen on; default PROXY_PORT, then 5634. 0 picks a free one. */
  readonly port?: number;
  /** The address to bind; default PROXY_HOST, then HOST, then 127.0.0.1. */
  readonly host?: string;
  /** The environment to read; default process.env after loading ./.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs the proxy as this process: the entry (main.ts) and `strangler proxy` both call it.
 * It owns the process from then on (signals, exit), so it is called once per process.
 */
export async function runProxyProcess(options: ProxyProcessOptions = {}): Promise<void> {
  let env = options.env;
  if (!env) {
    loadDotEnv();
    env = process.env;
  }
  const secrets = resolveSecrets(env);
  const port = options.port ?? envPort(env, 'PROXY_PORT', 5634);
  const host = options.host ?? (env.PROXY_HOST || env.HOST || '127.0.0.1');
  const routesFile = resolve(options.routesFile ?? (env.ROUTES_FILE || 'routes.yaml'));
  const logger = createLogger(NAME, env.LOG_LEVEL || 'info', { asyncStdout: true });
  // The session bridge reads the legacy sessions in the shared database; COOKIE_SECURE is
  // the legacy app's own setting, so cookies set on either side carry the same attributes.
  // Where each session backend keeps its sessions (and how tokens are signed) is in routes.yaml
  // (DESIGN §10); the file is read here first for the token algorithm, fixed for the process.
  const first = loadRouteTable(routesFile, env);
  const bridge = await openSessionBridge({
    databasePath: resolve(env.DATABASE_PATH || 'data/app.db'),
    sessionSecrets: secretList(secrets.SESSION_SECRET),
    jwtSecrets: secretList(secrets.JWT_SECRET),
    tokens: first.ok ? first.table.tokens : { alg: 'EdDSA', ttlSec: 300 },
    signingKeysFile: resolve(env.STRANGLER_SIGNING_KEYS || 'data/signing-keys.json'),
    production: env.NODE_ENV === 'production',
    secureCookies: env.COOKIE_SECURE === 'true',
    logger: logger.child({ component: 'bridge' }),
  });
  // Shadow traffic is idle until a route in routes.yaml has a `shadow` block. It goes before
  // the bridge, so a copy starts from the client's headers and gets its token from the bridge.
  const shadow = createShadowExtension({ diffsPath: resolve(env.DIFFS_PATH || 'data/diffs.db'), logger: logger.child({ component: 'shadow' }), authorizeShadow: bridge.authorizeShadow });
  // Idle until an admin starts a recording (strangler record); it sees the client's own headers.
  const record = createRecordExtension({ dir: resolve(env.RECORDINGS_DIR || 'data/recordings'), identify: bridge.identify, logger: logger.child({ component: 'record' }) });

  const created = createProxy(
    {
      routesFile, adminToken: secrets.PROXY_ADMIN_TOKEN, env, processMetrics: true, exposeGeneration: env.PROXY_EXPOSE_GENERATION === 'true',
      // COOKIE_SECURE=true says browsers arrive over TLS terminated in front of the proxy.
      behindTls: env.COOKIE_SECURE === 'true',
    },
    // Every routing change, who made it and why (strangler history); the CLI writes it too.
    {
      logger, extensions: [shadow, record, bridge], identify: bridge.identify, history: openHistoryStore(resolve(env.HISTORY_PATH || 'data/history.db')),
      // The rollouts' match-rate gate: shadow comparisons of the route, raced ones left out.
      comparisons: matchCountsFrom(shadow.store),
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

  const server = createServer(proxy.handler);
  // Registered here, not through http-proxy-middleware's `ws: true`: a WebSocket that is a
  // connection's very first request must not hang.
  server.on('upgrade', proxy.upgrade);
  server.on('clientError', (_err, socket) => socket.destroy());

  // PROXY_WATCH=false leaves reloads to SIGHUP alone (e.g. a file system without change events).
  const watcher = env.PROXY_WATCH === 'false' ? undefined : watchRoutesFile(routesFile, () => proxy.reload(), { logger });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: re-reading the routes file');
    proxy.reload({ force: true });
  });

  await shadow.ready(); // copies sent while the shadow thread loads would prove nothing
  const bound = await listen(server, port, host, 'PROXY_PORT');
  const table = proxy.table();
  logger.info(
    { routes: table.routes.map((r) => `${r.name} -> ${r.target}${r.canary ? ` (canary ${r.canary.percent}% -> ${r.canary.to})` : ''}`), default: table.defaultBackend },
    `listening on http://${host}:${bound}, routes from ${routesFile}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    watcher?.close();
    let exiting = false;
    const exit = () => {
      if (exiting) return;
      exiting = true;
      void proxy.close().finally(() => process.exit(0));
    };
    // In-flight requests get a moment to finish; idle keep-alive sockets go at once. Open
    // WebSocket tunnels would hold server.close() forever: the deadline ends them too.
    const force = setTimeout(() => {
      server.closeAllConnections();
      exit();
    }, 5000);
    force.unref();
    proxy.endStreams();
    server.close(exit);
    server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
