// The proxy's process (runProxyProcess): reads the environment and routes.yaml, opens the
// session bridge and shadow traffic, listens on PROXY_PORT, follows changes to routes.yaml
// (and SIGHUP), and stops cleanly on SIGTERM/SIGINT. With PROXY_WORKERS above 1 this process
// is a cluster's primary and its workers route (cluster/).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { envPort, loadDotEnv, resolveSecrets } from '../../lib/env.js';
import { listen } from '../../lib/listen.js';
import { createLogger } from '../../lib/logger.js';
import { runClusterPrimary } from './cluster/cluster-primary.js';
import { runClusterWorker } from './cluster/cluster-worker.js';
import { buildProxy, followRoutesFile, gracefulStop, logListening, NAME, openExtensions, proxyRequestLog, proxyWorkers, readRoutesAtStart, type ProcessSetup } from './process-setup.js';

export interface ProxyProcessOptions {
  /** The routes file; default ROUTES_FILE, then ./routes.yaml. */
  readonly routesFile?: string;
  /** The port to listen on; default PROXY_PORT, then 5634. 0 picks a free one. */
  readonly port?: number;
  /** The address to bind; default PROXY_HOST, then HOST, then 127.0.0.1. */
  readonly host?: string;
  /** The environment to read; default process.env after loading ./.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Worker processes (node:cluster); default PROXY_WORKERS, else 1 (this process routes). */
  readonly workers?: number;
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
  const workers = options.workers ?? proxyWorkers(env.PROXY_WORKERS);
  const requestLog = proxyRequestLog(env.PROXY_REQUEST_LOG);
  const worker = cluster.isWorker && env.STRANGLER_PROXY_WORKER === '1';
  const logger = createLogger(NAME, env.LOG_LEVEL || 'info', { asyncStdout: true }).child(worker ? { worker: cluster.worker?.id } : {});
  const setup: ProcessSetup = { env, secrets, port, host, routesFile, logger, requestLog };
  if (worker) return runClusterWorker(setup);
  if (workers > 1) return runClusterPrimary({ ...setup, workers });

  const { firstRead, tokens } = readRoutesAtStart(setup);
  const { bridge, shadow, record } = await openExtensions(setup, tokens);
  const proxy = buildProxy(setup, { bridge, shadow, record }, firstRead);

  const server = createServer(proxy.handler);
  // Registered here, not through http-proxy-middleware's `ws: true`: a WebSocket that is a
  // connection's very first request must not hang.
  server.on('upgrade', proxy.upgrade);
  server.on('clientError', (_err, socket) => socket.destroy());

  const watcher = followRoutesFile(setup, proxy);

  await shadow.ready(); // copies sent while the shadow thread loads would prove nothing
  const bound = await listen(server, port, host, 'PROXY_PORT');

  const stop = gracefulStop(logger, server, {
    before: () => {
      watcher?.close();
      proxy.endStreams();
    },
    close: () => proxy.close(),
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Last: a supervisor may send SIGTERM as soon as it reads this line.
  logListening(setup, proxy, bound);
}
