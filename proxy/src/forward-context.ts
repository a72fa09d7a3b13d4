import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { BackendChoice, BackendConfig, RouteConfig, RouteTable } from './config/index.js';
import type { TeedBody } from './tee-stream.js';
import type { UpstreamFailure } from './upstream-error.js';

export type { BackendChoice };

/** The label a request that no route matched carries in logs and metrics. */
export const DEFAULT_ROUTE = '(default)';

/**
 * Everything known about one request once it is routed, handed to every extension hook.
 * The table, generation and backend are those in force when the request arrived: a reload
 * while it is in flight changes nothing for it.
 */
export interface ForwardContext {
  readonly requestId: string;
  readonly kind: 'http' | 'upgrade';
  /**
   * The client request. Its `headers` (lower-case names) are what is forwarded: a
   * `beforeForward` hook adds or removes request headers by editing them.
   */
  readonly req: IncomingMessage;
  /** Undefined for a WebSocket upgrade, which has a socket instead. */
  readonly res: ServerResponse | undefined;
  readonly method: string;
  /** Normalised path, no query. */
  readonly path: string;
  /** The query string with its `?`, or ''. */
  readonly search: string;
  readonly route: RouteConfig | undefined;
  /** `route.name`, or `(default)` when no route matched. */
  readonly routeName: string;
  readonly backend: BackendConfig;
  readonly choice: BackendChoice;
  readonly table: RouteTable;
  /** Which routing table (1 for the first load, +1 per reload) routed this request. */
  readonly generation: number;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** What the canary bucket was computed from, when the route has a canary. */
  readonly identity: string | undefined;
  /**
   * A bounded copy of the request body, taken as it streams past (it is not buffered in
   * front of the backend). Call it in `beforeForward`, before forwarding starts.
   */
  teeRequestBody(maxBytes: number): Promise<TeedBody>;
}

/** How a forwarded request ended, given to `afterResponse`. */
export interface ForwardOutcome {
  /** The status the client got (101 for an upgrade), or 0 when nothing was sent. */
  readonly status: number;
  readonly durationMs: number;
  /** The client went away before the answer was complete. */
  readonly aborted: boolean;
  /** The upstream failure behind a 502/504 (or behind a response cut short). */
  readonly failure: (UpstreamFailure & { readonly code: string | undefined }) | undefined;
  /** The request went out twice: a reused keep-alive socket was reset first. */
  readonly retried: boolean;
}

/** Per-request state the proxy keeps beside the public context. */
export interface Exchange {
  readonly ctx: ForwardContext;
  readonly backend: BackendHandle;
  attempts: number;
  /** The current upstream request (http-proxy creates a new one on retry). */
  upstreamRequest: ClientRequest | undefined;
  /** The upstream answer once its headers arrived (HTTP only): a client that leaves tears it down. */
  upstreamResponse: IncomingMessage | undefined;
  /** Upstream answered (headers received): no retry, errors now cut the response. */
  responded: boolean;
  /** The WebSocket handshake completed: errors now close the tunnel. */
  upgraded: boolean;
  upgradeStatus: number;
  failure: ForwardOutcome['failure'];
  clientAborted: boolean;
  finished: boolean;
}

/** The part of a backend proxy an exchange needs: retry once, and in-flight accounting. */
export interface BackendHandle {
  readonly name: string;
  retry(req: IncomingMessage, res: ServerResponse): void;
  release(): void;
}

const EXCHANGE = Symbol('strangler.exchange');

type Tagged = IncomingMessage & { [EXCHANGE]?: Exchange };

export function attachExchange(req: IncomingMessage, exchange: Exchange): void {
  (req as Tagged)[EXCHANGE] = exchange;
}

export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as Tagged)[EXCHANGE];
}
