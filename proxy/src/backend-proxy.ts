import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type Server from 'http-proxy';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { Logger } from '../../lib/logger.js';
import type { OnProxyEvent } from './exchange-events.js';
import type { BackendHandle } from './forward-context.js';

export interface BackendProxyOptions {
  /**
   * Idle keep-alive sockets are closed after this long. It must stay below the backend's
   * own keep-alive timeout (Node's default is 5 s), or the backend closes a socket just as
   * the proxy reuses it.
   */
  readonly freeSocketTimeoutMs: number;
  /** http-proxy events, shared by every backend of one proxy. */
  readonly on: OnProxyEvent;
  readonly logger: Logger;
}

/** One backend's forwarder: one http-proxy-middleware instance and one keep-alive agent. */
export interface BackendProxy extends BackendHandle {
  /** The backend's origin, which decides whether a reload can keep this instance. */
  readonly href: string;
  readonly agent: http.Agent;
  forward(req: http.IncomingMessage, res: http.ServerResponse): void;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** One more exchange in flight; `release()` ends it. */
  acquire(): void;
  /** No new exchanges will come: close the agent's sockets once the last one ends. */
  retire(): void;
  /** In use again (a reload brought its URL back); the agent opens sockets as needed. */
  revive(): void;
  /** Close every socket now (shutdown). */
  destroy(): void;
}

/**
 * Creates a backend's forwarder. The target is fixed at creation (a reload that changes the
 * URL creates a new one); the per-request deadline comes from the request's own backend
 * config, so a timeout change needs no new instance.
 */
export function createBackendProxy(name: string, url: URL, options: BackendProxyOptions): BackendProxy {
  const agentOptions: http.AgentOptions = { keepAlive: true, timeout: options.freeSocketTimeoutMs, maxFreeSockets: 256, scheduling: 'lifo' };
  const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  // http-proxy parses a string target on every request; this one is parsed once.
  const target = {
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (url.protocol === 'https:' ? '443' : '80'),
    path: '/',
    pathname: '/',
  };
  let server: Server | undefined;
  const middleware: RequestHandler = createProxyMiddleware({
    target,
    agent,
    changeOrigin: true,
    xfwd: false,
    // The proxy writes the response itself, so async hooks can act before the client sees it.
    selfHandleResponse: true,
    // Default plugins answer errors with plain text and log every request: both are ours.
    ejectPlugins: true,
    plugins: [
      (proxyServer) => {
        server = proxyServer as unknown as Server;
        for (const [event, handler] of Object.entries(options.on)) proxyServer.on(event as 'error', handler as never);
        // http-proxy pipes the two sockets of a tunnel, but a client socket that is destroyed
        // (not ended) never ends the backend's: tie their lifetimes together.
        proxyServer.on('proxyReqWs', (proxyReq, _req, socket) => {
          proxyReq.once('upgrade', (_res, proxySocket: Duplex) => {
            if (socket.destroyed) proxySocket.destroy();
            else socket.once('close', () => proxySocket.destroy());
          });
        });
      },
    ],
    logger: hpmLogger(options.logger, name),
  });
  if (!server) throw new Error('http-proxy-middleware did not run its plugins');
  const proxyServer: Server = server;
  const webOptions = { target, agent, changeOrigin: true, xfwd: false, selfHandleResponse: true };
  // http-proxy pipes the request into the upstream one (`(options.buffer || req).pipe(proxyReq)`):
  // for a request without a body that pipe only carries its end, with eight listeners added
  // and removed. This ends the upstream request at once instead; the server drains the
  // unread request when the response finishes, as for any handler that does not read it.
  const bodylessOptions = { ...webOptions, buffer: NO_BODY };

  let inflight = 0;
  let retired = false;
  const maybeClose = () => {
    if (retired && inflight === 0) agent.destroy();
  };

  return {
    name,
    href: url.href,
    agent,
    forward(req, res) {
      // Straight to the middleware's http-proxy server, as `retry` does: the middleware's own
      // request path is an async function awaiting its router and path rewrite (three
      // promises and microtask turns per request) for options that are fixed here.
      // A hook that tees the request (teeStream) waits for its end: that one is piped.
      proxyServer.web(req, res, hasBody(req) || req.listenerCount('data') > 0 ? webOptions : bodylessOptions);
    },
    retry(req, res) {
      // The first attempt consumed the (empty) request stream: send an empty one instead.
      proxyServer.web(req, res, { ...webOptions, buffer: Readable.from([]) });
    },
    upgrade(req, socket, head) {
      middleware.upgrade(req, socket as Socket, head);
    },
    acquire() {
      inflight += 1;
    },
    release() {
      inflight -= 1;
      maybeClose();
    },
    retire() {
      retired = true;
      maybeClose();
    },
    revive() {
      retired = false;
    },
    destroy() {
      agent.destroy();
      proxyServer.close();
    },
  };
}

/** What http-proxy pipes as the body of a request that has none: the upstream request just ends. */
const NO_BODY = {
  pipe<T extends NodeJS.WritableStream>(upstream: T): T {
    upstream.end();
    return upstream;
  },
} as unknown as Readable;

/** A request with a body to forward (not `Content-Length: 0`). */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function hpmLogger(logger: Logger, backend: string) {
  const noop = () => undefined;
  return {
    info: noop,
    warn: (...args: unknown[]) => logger.warn({ backend, detail: args.map(String) }, 'http-proxy-middleware warning'),
    error: (...args: unknown[]) => logger.warn({ backend, detail: args.map(String) }, 'http-proxy-middleware error'),
  };
}
