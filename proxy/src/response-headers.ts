import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe the backend's connection to the proxy, not
 * the proxy's to the client; Node frames the client response itself.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * Backend-to-proxy signals (the bridge consumes them) and the proxy's own header: the
 * client never sees a backend's version of these.
 */
const PROXY_ONLY = new Set(['x-auth-token', 'x-auth-logout', 'x-backend', 'x-request-id', 'x-routes-generation']);

export interface ResponseFacts {
  readonly backend: string;
  readonly requestId: string;
  /** Set only when the proxy is asked to expose which routing table answered. */
  readonly generation?: number | undefined;
}

/**
 * Turns an upstream response's headers into the client's, in place: hop-by-hop headers
 * (and any the backend's `Connection` header names) and proxy-only headers removed, then
 * `x-backend` and `x-request-id` set. Pass `keepUpgrade` for a 101 answer, whose
 * `connection`/`upgrade` pair is the handshake itself.
 */
export function applyResponseHeaderPolicy(headers: IncomingHttpHeaders | OutgoingHttpHeaders, facts: ResponseFacts, keepUpgrade = false): void {
  const connection = headers.connection;
  if (typeof connection === 'string' && !keepUpgrade) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) delete headers[name];
    }
  }
  for (const name in headers) {
    if (PROXY_ONLY.has(name) || (!keepUpgrade && HOP_BY_HOP.has(name))) delete headers[name];
    else if (keepUpgrade && HOP_BY_HOP.has(name) && name !== 'connection' && name !== 'upgrade') delete headers[name];
  }
  headers['x-backend'] = facts.backend;
  headers['x-request-id'] = facts.requestId;
  if (facts.generation !== undefined) headers['x-routes-generation'] = String(facts.generation);
}

/**
 * The same policy for a plain answer, as the flat `[name, value, name, value…]` list that
 * `res.writeHead(status, list)` takes: the upstream headers are read, not edited, so the
 * object keeps its fast shape (a `delete` turns it into a dictionary), and Node writes a
 * list without validating it again. Each pair is validated here instead, as `writeHead`
 * would validate an object's, so a hook's bad header value still throws the same error.
 */
export function responseHeaderList(headers: IncomingHttpHeaders, facts: ResponseFacts): Array<string | string[]> {
  let named: string[] | undefined;
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) (named ??= []).push(name);
    }
  }
  const list: Array<string | string[]> = [];
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || PROXY_ONLY.has(name) || (named !== undefined && named.includes(name))) continue;
    const value = headers[name];
    validateHeaderName(name);
    validateHeaderValue(name, value as string);
    // A set-cookie array stays one entry: Node writes a line per cookie, as for an object.
    list.push(name, value as string | string[]);
  }
  list.push('x-backend', facts.backend, 'x-request-id', facts.requestId);
  if (facts.generation !== undefined) list.push('x-routes-generation', String(facts.generation));
  return list;
}
