import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../lib/logger.js';
import { PROXY_SELF, sendJsonError } from './error-response.js';
import { thenRunHooks, type HookSet } from './extension.js';
import { attachExchange, type Exchange, type ForwardContext } from './forward-context.js';
import type { HostCheck } from './allowed-hosts.js';
import type { Identify } from './identify.js';
import type { ProxyMetrics } from './metrics.js';
import { acceptRequestId } from './request-id.js';
import { routeRequest, type RouteOptions } from './route-request.js';
import { abandonUpstream } from './upstream-response.js';
import type { RoutingState } from './routing-state.js';
import type { BackendProxy } from './backend-proxy.js';
import type { RouteWindows } from './stats/index.js';

export interface HandlerDeps {
  /** The routing state in force; read once per request. */
  readonly state: () => RoutingState;
  /** The `/__proxy/` app (express lives there and nowhere else). */
  readonly admin: RequestListener;
  readonly identify: Identify;
  readonly hooks: HookSet;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  /** The browser reaches the proxy over TLS terminated in front of it: X-Forwarded-Proto is https. */
  readonly behindTls?: boolean;
  /** The Host check of browser-facing requests (allowed-hosts.ts); none when absent. */
  readonly hosts?: HostCheck;
  /** Sliding-window figures per route and backend (rollout gates, `/__proxy/stats`). */
  readonly windows?: RouteWindows;
  /** A log line per request at info. Default true. */
  readonly requestLog?: boolean;
}

/**
 * The hot path: a plain `(req, res)` handler. It routes with the table in force when the
 * request arrived and hands the request to that backend's forwarder; no body parser, no
 * framework, nothing allocated per request beyond the context and the exchange.
 */
export function createHttpHandler(deps: HandlerDeps): RequestListener {
  const { hooks, metrics, logger, windows } = deps;
  const routeOptions: RouteOptions = { behindTls: deps.behindTls, hosts: deps.hosts };

  function finish(ex: Exchange, res: ServerResponse): void {
    if (ex.finished) return;
    ex.finished = true;
    ex.backend.release();
    const { ctx } = ex;
    const durationMs = performance.now() - ctx.startedAt;
    const aborted = !res.writableFinished && !ex.failure;
    const status = res.headersSent ? res.statusCode : 0;
    metrics.request(ctx.routeName, ctx.backend.name, aborted ? 0 : status, durationMs / 1000);
    // A client that left says nothing about the backend: it counts in neither rate nor latency.
    if (!aborted) windows?.record(ctx.routeName, ctx.backend.name, status, durationMs, status >= 500 || ex.failure !== undefined);
    if (requestLog.isLevelEnabled('info')) {
      const line: RequestLine = {
        reqId: ctx.requestId, method: ctx.method, path: ctx.path, route: ctx.routeName, backend: ctx.backend.name, status,
        ms: Math.round(durationMs * 10) / 10,
      };
      if (ex.failure) line.upstreamError = ex.failure.kind;
      if (aborted) line.aborted = true;
      if (ex.attempts > 1) line.retried = true;
      requestLog.info(line, `${ctx.method} ${ctx.path} ${status || '-'} ${ctx.backend.name}`);
    }
    if (hooks.after.length) {
      const outcome = { status, durationMs, aborted, failure: ex.failure, retried: ex.attempts > 1 };
      for (const hook of hooks.after) {
        try {
          hook(ctx, outcome);
        } catch (err) {
          logger.error({ err, reqId: ctx.requestId }, 'an afterResponse hook failed');
        }
      }
    }
  }

  // The request line holds no header, cookie or body, so it skips the logger's redaction,
  // whose wildcard path (`*.password`) would otherwise run on each of its fields. Turned off
  // (PROXY_REQUEST_LOG=false), it is silent whatever LOG_LEVEL says.
  const requestLog = logger.child({}, deps.requestLog === false ? { redact: [], level: 'silent' } : { redact: [] });

  function forward(ex: Exchange, forwarder: BackendProxy, req: IncomingMessage, res: ServerResponse): void {
    // A beforeForward hook may have answered, or the client may have left meanwhile.
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    forwarder.forward(req, res);
  }

  return function handleRequest(req, res) {
    const startedAt = performance.now();
    const requestId = acceptRequestId(req.headers['x-request-id']);
    const decision = routeRequest(req, res, requestId, startedAt, deps.state(), deps.identify, routeOptions);
    if (decision.kind === 'admin') {
      res.setHeader('x-backend', PROXY_SELF);
      res.setHeader('x-request-id', requestId);
      deps.admin(req, res);
      return;
    }
    if (decision.kind === 'refuse') {
      if (decision.status === 500) logger.error({ reqId: requestId, detail: decision.detail }, 'routing failed');
      else logger.debug({ reqId: requestId, url: req.url, reason: decision.detail }, 'refused a request');
      sendJsonError(res, decision.status, decision.message, { 'x-backend': PROXY_SELF, 'x-request-id': requestId });
      return;
    }
    const { ctx, backend: forwarder } = decision;
    const ex = newExchange(ctx, forwarder);
    attachExchange(req, ex);
    forwarder.acquire();
    // The exchange's one listener on the response: the log line and figures, then, for a
    // client that left mid-answer, the upstream answer torn down (upstream-response.ts).
    res.on('close', () => {
      finish(ex, res);
      if (ex.upstreamResponse) abandonUpstream(ex, res);
    });
    if (hooks.before.length === 0) {
      forwarder.forward(req, res);
      return;
    }
    thenRunHooks(hooks.before, [ctx], () => forward(ex, forwarder, req, res), (err) => {
      logger.error({ err, reqId: requestId }, 'a beforeForward hook failed');
      if (!res.headersSent) sendJsonError(res, 500, 'Internal Server Error', { 'x-backend': ctx.backend.name, 'x-request-id': requestId });
    });
  };
}

/** The proxy's one log line per request. */
interface RequestLine {
  reqId: string;
  method: string;
  path: string;
  route: string;
  backend: string;
  status: number;
  ms: number;
  upstreamError?: string;
  aborted?: true;
  retried?: true;
}

export function newExchange(ctx: ForwardContext, backend: BackendProxy): Exchange {
  return {
    ctx,
    backend,
    attempts: 1,
    upstreamRequest: undefined,
    upstreamResponse: undefined,
    responded: false,
    upgraded: false,
    upgradeStatus: 0,
    failure: undefined,
    clientAborted: false,
    finished: false,
  };
}
