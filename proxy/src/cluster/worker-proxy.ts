import type { RequestListener } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from '../../../lib/logger.js';
import { createHostCheck } from '../allowed-hosts.js';
import { setClientAddress } from '../client-address.js';
import { sendJsonError, PROXY_SELF } from '../error-response.js';
import { createDataPlane } from '../data-plane.js';
import type { ProxyExtension } from '../extension.js';
import { identifyBySessionOrAddress, type Identify } from '../identify.js';
import { createProxyMetrics, type ProxyMetrics } from '../metrics.js';
import type { RoutingState } from '../routing-state.js';
import type { RouteTable } from '../config/index.js';
import type { UpgradeListener } from '../upgrade-handler.js';
import { createWorkerWindows, type WindowDelta } from './window-delta.js';

/** The header a worker tells the primary the client's address in (set by the worker, never taken from the client). */
export const CLIENT_ADDRESS_HEADER = 'x-strangler-client-address';

export interface WorkerProxyOptions {
  /** The table the primary sent, and its generation (the primary numbers them). */
  readonly table: RouteTable;
  readonly generation: number;
  /** The primary's admin socket: every `/__proxy/` request goes there. */
  readonly adminSocket: string;
  readonly publicHosts: readonly string[];
  readonly freeSocketTimeoutMs?: number;
  readonly exposeGeneration?: boolean;
  readonly requestLog?: boolean;
  readonly behindTls?: boolean;
  readonly processMetrics?: boolean;
  readonly statsBucketMs?: number;
  /** Answered as `X-Strangler-Worker` beside `X-Routes-Generation` when `exposeGeneration` (diagnostics, tests). */
  readonly workerId: number;
}

export interface WorkerProxyDeps {
  readonly logger: Logger;
  readonly identify?: Identify;
  readonly extensions?: readonly ProxyExtension[];
}

export interface WorkerProxy {
  readonly handler: RequestListener;
  readonly upgrade: UpgradeListener;
  readonly metrics: ProxyMetrics;
  state(): RoutingState;
  /** Puts the primary's table in force; an older generation than the one in force is ignored. */
  apply(table: RouteTable, generation: number): void;
  /** The requests answered since the last take, for the primary's windows. */
  takeWindows(): WindowDelta[];
  close(): Promise<void>;
}

/**
 * What a cluster worker runs: the hot path of a single proxy (the same handler, forwarders,
 * hooks and metrics) with none of its control plane. The table comes from the primary,
 * which read and numbered it; `/__proxy/` requests (admin API, console, metrics, JWKS) are
 * passed to the primary over its private socket, so there is one routes file writer, one
 * rollout engine and one diff writer however many workers route.
 */
export function createWorkerProxy(options: WorkerProxyOptions, deps: WorkerProxyDeps): WorkerProxy {
  const { logger } = deps;
  const metrics = createProxyMetrics({ processMetrics: options.processMetrics ?? false });
  const windows = createWorkerWindows(options.statsBucketMs);

  const toPrimary = createProxyMiddleware({
    target: { socketPath: options.adminSocket } as never,
    // Server-sent events (the console's feed) stream as they come.
    proxyTimeout: 0,
    on: {
      proxyReq(proxyReq, req) {
        proxyReq.setHeader(CLIENT_ADDRESS_HEADER, req.socket.remoteAddress ?? 'unknown');
      },
      error(err, _req, res) {
        logger.error({ err }, 'the primary did not answer an admin request');
        if ('writeHead' in res && !res.headersSent) sendJsonError(res, 503, 'The proxy\'s primary process is not answering: try again in a moment', { 'x-backend': PROXY_SELF });
        else res.destroy();
      },
    },
  });
  const admin: RequestListener = (req, res) => {
    // Only this worker says where a request came from.
    delete req.headers[CLIENT_ADDRESS_HEADER];
    void toPrimary(req, res);
  };
  // options.generation: the primary numbers the tables, the first one included.
  const plane = createDataPlane(options.table, options, {
    logger,
    metrics,
    identify: deps.identify ?? identifyBySessionOrAddress,
    hosts: createHostCheck([...options.publicHosts]),
    admin,
    windows: windows.windows,
    extensions: deps.extensions,
  });
  const workerTag = String(options.workerId);
  const handler: RequestListener = options.exposeGeneration
    ? (req, res) => {
      res.setHeader('x-strangler-worker', workerTag);
      plane.handler(req, res);
    }
    : plane.handler;

  return {
    handler,
    upgrade: plane.upgrade,
    metrics,
    state: () => plane.state(),
    apply(table, generation) {
      if (generation > plane.state().generation) plane.route(table, generation);
    },
    takeWindows: () => windows.take(),
    close: () => plane.close(),
  };
}

/** The primary's side of CLIENT_ADDRESS_HEADER: on its private socket only workers connect, so the header is theirs. */
export function trustWorkerClientAddress(handler: RequestListener): RequestListener {
  return (req, res) => {
    const address = req.headers[CLIENT_ADDRESS_HEADER];
    if (typeof address === 'string') setClientAddress(req, address);
    delete req.headers[CLIENT_ADDRESS_HEADER];
    handler(req, res);
  };
}
