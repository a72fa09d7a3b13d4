import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../lib/logger.js';
import { PROXY_SELF, writeSocketError } from './error-response.js';
import { thenRunHooks, type HookSet } from './extension.js';
import { attachExchange, type Exchange } from './forward-context.js';
import { newExchange } from './http-handler.js';
import type { HostCheck } from './allowed-hosts.js';
import type { Identify } from './identify.js';
import type { ProxyMetrics } from './metrics.js';
import { acceptRequestId } from './request-id.js';
import { routeRequest, type RouteOptions } from './route-request.js';
import type { RoutingState } from './routing-state.js';

export interface UpgradeDeps {
  readonly state: () => RoutingState;
  readonly identify: Identify;
  readonly hooks: HookSet;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  /** After the backend ends a tunnel, the client's side is destroyed this long later if it has not closed (ms). */
  readonly halfCloseGraceMs?: number;
  /** The browser reaches the proxy over TLS terminated in front of it: X-Forwarded-Proto is https. */
  readonly behindTls?: boolean;
  /** The Host check of browser-facing requests (allowed-hosts.ts); none when absent. */
  readonly hosts?: HostCheck;
}

/**
 * Node's HTTP server keeps upgraded sockets half-open: when the backend ends a tunnel the
 * client gets a FIN, but a client that never ends its side would hold the socket for good.
 */
const DEFAULT_HALF_CLOSE_GRACE_MS = 5000;

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeHandler {
  readonly listener: UpgradeListener;
  /** Closes every open tunnel (shutdown): a server's close() does not wait for them well. */
  closeAll(): void;
}

/**
 * The `upgrade` listener, to register on the server yourself (http-proxy-middleware's
 * `ws: true` subscribes only after a first HTTP request, so a WebSocket that comes first
 * would hang). Upgrades route by the same table as requests, canary included; a tunnel
 * keeps the backend it opened with across reloads.
 */
export function createUpgradeHandler(deps: UpgradeDeps): UpgradeHandler {
  const { hooks, metrics, logger } = deps;
  const halfCloseGraceMs = deps.halfCloseGraceMs ?? DEFAULT_HALF_CLOSE_GRACE_MS;
  const routeOptions: RouteOptions = { behindTls: deps.behindTls, hosts: deps.hosts };
  const open = new Set<Duplex>();

  function finish(ex: Exchange): void {
    if (ex.finished) return;
    ex.finished = true;
    ex.backend.release();
    const { ctx } = ex;
    const durationMs = performance.now() - ctx.startedAt;
    const status = ex.upgradeStatus;
    if (logger.isLevelEnabled('info')) {
      logger.info(
        {
          reqId: ctx.requestId, method: ctx.method, path: ctx.path, route: ctx.routeName, backend: ctx.backend.name, status, websocket: true,
          ms: Math.round(durationMs * 10) / 10,
          ...(ex.failure ? { upstreamError: ex.failure.kind } : {}),
        },
        `WS ${ctx.path} ${status || '-'} ${ctx.backend.name} closed`,
      );
    }
    const outcome = { status, durationMs, aborted: status === 0 && !ex.failure, failure: ex.failure, retried: false };
    for (const hook of hooks.after) {
      try {
        hook(ctx, outcome);
      } catch (err) {
        logger.error({ err, reqId: ctx.requestId }, 'an afterResponse hook failed');
      }
    }
  }

  const listener: UpgradeListener = function handleUpgrade(req, socket, head) {
    // Before anything else: a client resetting mid-handshake must not become an uncaught error.
    socket.on('error', (err: NodeJS.ErrnoException) => logger.debug({ code: err.code, url: req.url }, 'client socket error during a WebSocket'));
    const startedAt = performance.now();
    const requestId = acceptRequestId(req.headers['x-request-id']);
    const decision = routeRequest(req, undefined, requestId, startedAt, deps.state(), deps.identify, routeOptions);
    const own = { 'x-backend': PROXY_SELF, 'x-request-id': requestId };
    if (decision.kind === 'admin') {
      writeSocketError(socket, 404, 'Not found', own);
      return;
    }
    if (decision.kind === 'refuse') {
      logger.debug({ reqId: requestId, url: req.url, reason: decision.detail }, 'refused an upgrade');
      writeSocketError(socket, decision.status, decision.message, own);
      return;
    }
    const { ctx, backend: forwarder } = decision;
    const ex = newExchange(ctx, forwarder);
    attachExchange(req, ex);
    forwarder.acquire();
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      finish(ex);
    });
    socket.once('finish', () => {
      const timer = setTimeout(() => socket.destroy(), halfCloseGraceMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    });
    metrics.upgrade(ctx.routeName, ctx.backend.name);
    if (hooks.before.length === 0) {
      forwarder.upgrade(req, socket, head);
      return;
    }
    thenRunHooks(hooks.before, [ctx], () => {
      if (!socket.destroyed && socket.writable) forwarder.upgrade(req, socket, head);
    }, (err) => {
      logger.error({ err, reqId: requestId }, 'a beforeForward hook failed on an upgrade');
      writeSocketError(socket, 500, 'Internal Server Error', { 'x-backend': ctx.backend.name, 'x-request-id': requestId });
    });
  };

  return {
    listener,
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
