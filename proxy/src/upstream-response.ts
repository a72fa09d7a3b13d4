import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'http-proxy-middleware';
import { sendJsonError } from './error-response.js';
import { exchangeOf, type Exchange } from './forward-context.js';
import { thenRunHooks } from './extension.js';
import type { ExchangeEventDeps } from './exchange-event-deps.js';
import { responseHeaderList, type ResponseFacts } from './response-headers.js';
import { classifyUpstreamError } from './upstream-error.js';

type ProxyResHandler = NonNullable<NonNullable<Options['on']>['proxyRes']>;

export function responseFacts(ex: Exchange, exposeGeneration: boolean): ResponseFacts {
  return { backend: ex.ctx.backend.name, requestId: ex.ctx.requestId, generation: exposeGeneration ? ex.ctx.generation : undefined };
}

/**
 * The `proxyRes` handler: the proxy writes every upstream answer itself
 * (`selfHandleResponse`), so the response hooks can run, async, before the client sees a
 * byte; then the header policy, then the body is piped. A body cut short by the backend
 * cuts the client connection; a client that leaves tears the upstream answer down.
 */
export function createResponseWriter(deps: ExchangeEventDeps): ProxyResHandler {
  const { metrics, logger, hooks } = deps;

  function writeResponse(ex: Exchange, upstream: IncomingMessage, res: ServerResponse): void {
    if (res.headersSent || res.destroyed) {
      upstream.destroy();
      return;
    }
    const headers = responseHeaderList(upstream.headers, responseFacts(ex, deps.exposeGeneration));
    if (upstream.statusMessage) res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, headers);
    else res.writeHead(upstream.statusCode ?? 502, headers);
    sendBody(upstream, res);
  }

  function onUpstreamBodyError(ex: Exchange, upstream: IncomingMessage, res: ServerResponse, err?: NodeJS.ErrnoException): void {
    // Complete, abandoned by the client, or answered already (a 500 from a failed hook).
    if (upstream.complete || ex.clientAborted || res.writableEnded) return;
    if (!ex.failure) {
      const failure = classifyUpstreamError(err ?? { code: 'ECONNRESET' });
      ex.failure = { ...failure, code: err?.code };
      metrics.upstreamError(ex.ctx.backend.name, failure.kind);
    }
    // Headers are out: the only honest signal left is a cut connection.
    res.destroy();
  }

  return (upstream, req, res) => {
    const ex = exchangeOf(req);
    if (!ex) {
      upstream.destroy();
      return;
    }
    ex.responded = true;
    // The response's close (http-handler.ts) calls abandonUpstream from now on.
    ex.upstreamResponse = upstream;
    upstream.once('error', (err: NodeJS.ErrnoException) => onUpstreamBodyError(ex, upstream, res, err));
    upstream.once('close', () => {
      if (!upstream.complete) onUpstreamBodyError(ex, upstream, res);
    });
    if (hooks.responseHeaders.length === 0) {
      writeResponse(ex, upstream, res);
      return;
    }
    const answer = { statusCode: upstream.statusCode ?? 502, headers: upstream.headers, body: upstream };
    thenRunHooks(hooks.responseHeaders, [ex.ctx, answer], () => writeResponse(ex, upstream, res), (err) => {
      logger.error({ err, reqId: ex.ctx.requestId }, 'an onResponseHeaders hook failed');
      // Answer first, then drop the upstream body: its close must find the response ended.
      if (!res.headersSent) sendJsonError(res, 500, 'Internal Server Error', { 'x-backend': ex.ctx.backend.name, 'x-request-id': ex.ctx.requestId });
      upstream.destroy();
    });
  };

}

/**
 * The client's connection closed: an answer it did not get in full is torn down upstream
 * (its body would otherwise keep a backend socket busy). Called on the response's `close`.
 */
export function abandonUpstream(ex: Exchange, res: ServerResponse): void {
  if (res.writableFinished) return;
  ex.clientAborted = !ex.failure;
  ex.upstreamResponse?.destroy();
}

/**
 * Streams the upstream body to the client as `pipe` would (the client's pace: paused while
 * the response's buffer is full, resumed on `drain`; ended when the body ends), with two
 * listeners instead of the eight `pipe` adds and removes. A client that leaves does not need
 * an unpipe: its `close` destroys the upstream answer (abandonUpstream). The stream may have
 * been paused by a hook's tee: resuming it starts both readers.
 */
function sendBody(upstream: IncomingMessage, res: ServerResponse): void {
  const resume = () => upstream.resume();
  upstream.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) {
      upstream.pause();
      res.once('drain', resume);
    }
  });
  upstream.on('end', () => res.end());
  upstream.resume();
}

