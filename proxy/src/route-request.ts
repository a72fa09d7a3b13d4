import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { chooseBackend, normalizeRequestPath, type BackendConfig, type RouteConfig, type RouteTable } from './config/index.js';
import type { BackendProxy } from './backend-proxy.js';
import { DEFAULT_ROUTE, type BackendChoice, type ForwardContext } from './forward-context.js';
import type { HostCheck } from './allowed-hosts.js';
import type { Identify } from './identify.js';
import { applyRequestHeaderPolicy } from './request-headers.js';
import { isReservedPath } from './reserved-paths.js';
import type { RoutingState } from './routing-state.js';
import { teeStream, type TeedBody } from './tee-stream.js';

/** Where the proxy's own endpoints live; never forwarded. */
export const ADMIN_PREFIX = '/__proxy';

export const MISDIRECTED = 'Misdirected Request: this host name is not served here; add it to PUBLIC_HOSTS';

export type RouteDecision =
  | { readonly kind: 'forward'; readonly ctx: ForwardContext; readonly backend: BackendProxy }
  | { readonly kind: 'admin' }
  | { readonly kind: 'refuse'; readonly status: 400 | 404 | 421 | 500; readonly message: string; readonly detail: string };

/** What routing needs besides the routing state: how the proxy is reached. */
export interface RouteOptions {
  /** The browser reaches the proxy over TLS terminated in front of it. */
  readonly behindTls?: boolean;
  /** The Host check; every Host passes when absent. */
  readonly hosts?: HostCheck;
}

/**
 * Routes one request (HTTP or upgrade) with the state in force now: normalise the path
 * (hostile ones refused), send `/__proxy/` to the admin app, refuse a Host this proxy does
 * not serve (421), match, pick the backend (canary included), and rewrite the request for
 * forwarding (normalised URL, header policy). `req.url` is replaced by the normalised path
 * and the original query.
 *
 * `/__proxy/` skips the Host check: its endpoints are open by design (health, public keys,
 * the console's sign-in page) or need the admin bearer token or the console's session
 * cookie, which the browser keeps for the host name it signed in on and so never sends to a
 * rebinding page's name: such a page gains nothing there, while probes, scrapers and
 * backends reach it by IP or service name. 421, not 403: the
 * request reached a server that does not serve that name (RFC 9110 §15.5.20); it is not
 * about who the client is, and the body names the fix.
 */
export function routeRequest(
  req: IncomingMessage,
  res: ServerResponse | undefined,
  requestId: string,
  startedAt: number,
  state: RoutingState,
  identify: Identify,
  options: RouteOptions = {},
): RouteDecision {
  const normalized = normalizeRequestPath(req.url ?? '/');
  if (!normalized.ok) return { kind: 'refuse', status: 400, message: 'Bad Request', detail: normalized.reason };
  const { path, search } = normalized;
  req.url = search ? path + search : path;
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return { kind: 'admin' };
  if (options.hosts && !options.hosts(req.headers.host)) return { kind: 'refuse', status: 421, message: MISDIRECTED, detail: `Host ${JSON.stringify(req.headers.host ?? null)} is not an allowed host name` };
  if (isReservedPath(path, state.table)) return { kind: 'refuse', status: 404, message: 'Not found', detail: 'the legacy adapter\'s endpoints are the proxy\'s own' };

  const method = req.method ?? 'GET';
  const { table, generation } = state;
  const match = table.match(method, path);
  const identity = match.route?.canary ? identify(req, table) : undefined;
  const choice = chooseBackend(table, match, identity);
  const backend = table.backends.get(choice.backend);
  const forwarder = state.backends.get(choice.backend);
  if (!backend || !forwarder) {
    return { kind: 'refuse', status: 500, message: 'Internal Server Error', detail: `no forwarder for backend "${choice.backend}"` };
  }
  applyRequestHeaderPolicy(req.headers, { requestId, clientAddress: req.socket.remoteAddress, encrypted: options.behindTls === true || (req.socket as TLSSocket).encrypted === true, upgrade: res === undefined });
  const ctx = new RequestContext(requestId, res ? 'http' : 'upgrade', req, res, method, path, search, match.route, backend, choice, table, generation, startedAt, identity);
  return { kind: 'forward', ctx, backend: forwarder };
}

/** A class, not a literal with closures: one allocation per request on the hot path. */
class RequestContext implements ForwardContext {
  readonly routeName: string;

  constructor(
    readonly requestId: string,
    readonly kind: 'http' | 'upgrade',
    readonly req: IncomingMessage,
    readonly res: ServerResponse | undefined,
    readonly method: string,
    readonly path: string,
    readonly search: string,
    readonly route: RouteConfig | undefined,
    readonly backend: BackendConfig,
    readonly choice: BackendChoice,
    readonly table: RouteTable,
    readonly generation: number,
    readonly startedAt: number,
    readonly identity: string | undefined,
  ) {
    this.routeName = route ? route.name : DEFAULT_ROUTE;
  }

  teeRequestBody(maxBytes: number): Promise<TeedBody> {
    return teeStream(this.req, maxBytes);
  }
}
