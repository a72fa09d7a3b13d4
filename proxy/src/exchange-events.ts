import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Options } from 'http-proxy-middleware';
import { sendJsonError, writeSocketError } from './error-response.js';
import type { ExchangeEventDeps } from './exchange-event-deps.js';
import { exchangeOf, type Exchange } from './forward-context.js';
import { applyResponseHeaderPolicy } from './response-headers.js';
import { classifyUpstreamError, upstreamTimeoutError } from './upstream-error.js';
import { createResponseWriter, responseFacts } from './upstream-response.js';

export type OnProxyEvent = NonNullable<Options['on']>;

/** Methods a reused-socket reset may resend: safe ones only, whose repeat cannot write twice. */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The http-proxy event handlers every backend proxy shares: deadlines, writing the
 * upstream answer through the hooks and header policy, one retry on a reset reused socket,
 * and failures turned into 502/504 (or a cut connection once the answer has begun).
 */
export function createExchangeEvents(deps: ExchangeEventDeps): OnProxyEvent {
  const { metrics } = deps;
  const facts = (ex: Exchange) => responseFacts(ex, deps.exposeGeneration);
  const proxyRes = createResponseWriter(deps);

  function armDeadline(ex: Exchange, upstream: ClientRequest): void {
    const { name, timeoutMs } = ex.ctx.backend;
    // A socket idle timeout: it covers the wait for headers and a body that stalls midway.
    upstream.setTimeout(timeoutMs, () => upstream.destroy(upstreamTimeoutError(name, timeoutMs)));
  }

  function webError(ex: Exchange | undefined, err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse): void {
    if (!ex) {
      if (!res.headersSent) sendJsonError(res, 502, 'Bad Gateway', {});
      else res.destroy();
      return;
    }
    if (req.socket.destroyed || res.destroyed) {
      // The client is gone: nothing to answer, and not the backend's fault.
      ex.clientAborted = true;
      ex.upstreamRequest?.destroy();
      return;
    }
    const upstream = ex.upstreamRequest;
    if (
      ex.attempts === 1 && !ex.responded && !res.headersSent && err.code === 'ECONNRESET' && upstream?.reusedSocket === true
      && RETRYABLE_METHODS.has(ex.ctx.method) && !hasBody(req)
    ) {
      // The backend closed an idle keep-alive socket as it was reused: nothing reached it.
      ex.attempts = 2;
      ex.upstreamRequest = undefined;
      metrics.retry(ex.ctx.backend.name);
      ex.backend.retry(req, res);
      return;
    }
    if (ex.failure) {
      if (!res.headersSent) return;
      res.destroy();
      return;
    }
    const failure = classifyUpstreamError(err);
    ex.failure = { ...failure, code: err.code };
    metrics.upstreamError(ex.ctx.backend.name, failure.kind);
    upstream?.destroy();
    if (res.headersSent) res.destroy();
    else sendJsonError(res, failure.status, failure.message, { 'x-backend': ex.ctx.backend.name, 'x-request-id': ex.ctx.requestId });
  }

  function upgradeError(ex: Exchange | undefined, err: NodeJS.ErrnoException, socket: Duplex): void {
    if (!ex || ex.upgraded) {
      socket.destroy();
      return;
    }
    if (!ex.failure) {
      const failure = classifyUpstreamError(err);
      ex.failure = { ...failure, code: err.code };
      metrics.upstreamError(ex.ctx.backend.name, failure.kind);
      ex.upstreamRequest?.destroy();
      if (ex.upgradeStatus === 0) {
        ex.upgradeStatus = failure.status;
        writeSocketError(socket, failure.status, failure.message, { 'x-backend': ex.ctx.backend.name, 'x-request-id': ex.ctx.requestId });
        return;
      }
    }
    socket.destroy();
  }

  const error: NonNullable<OnProxyEvent['error']> = (err, req, target) => {
    const ex = exchangeOf(req);
    const e = err as NodeJS.ErrnoException;
    if (isServerResponse(target)) webError(ex, e, req, target);
    else upgradeError(ex, e, target as unknown as Duplex);
  };

  return {
    proxyReq(upstream, req) {
      const ex = exchangeOf(req);
      if (!ex) return;
      ex.upstreamRequest = upstream;
      armDeadline(ex, upstream);
    },
    proxyRes,
    error,
    econnreset(_err, req) {
      const ex = exchangeOf(req);
      if (ex) ex.clientAborted = true;
    },
    proxyReqWs(upstream, req) {
      const ex = exchangeOf(req);
      if (!ex) return;
      ex.upstreamRequest = upstream;
      armDeadline(ex, upstream);
      // Registered before http-proxy's own listeners, so the headers are fixed before they are written.
      upstream.once('upgrade', (upstreamRes: IncomingMessage) => {
        upstream.setTimeout(0);
        ex.upgraded = true;
        ex.upgradeStatus = 101;
        applyResponseHeaderPolicy(upstreamRes.headers, facts(ex), true);
      });
      upstream.once('response', (upstreamRes: IncomingMessage) => {
        upstream.setTimeout(0);
        ex.upgradeStatus = upstreamRes.statusCode ?? 502;
        applyResponseHeaderPolicy(upstreamRes.headers, facts(ex));
        // http-proxy pipes the decoded body: delimit it by closing the connection.
        upstreamRes.headers.connection = 'close';
      });
    },
  };
}

function isServerResponse(value: unknown): value is ServerResponse {
  return typeof (value as ServerResponse | undefined)?.writeHead === 'function';
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
