import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers only the proxy or a backend may set. A client sending them could pose as another
 * user (`x-user-*`), forge a bridge answer (`x-auth-*`), or fake its address
 * (`x-forwarded-*`, `forwarded`), so they are dropped, never trusted. `expect` goes too: the
 * proxy's own server has already answered `100 Continue`.
 */
const STRIPPED = new Set(['x-backend', 'x-shadow-request', 'x-auth-token', 'x-auth-logout', 'x-routes-generation', 'forwarded', 'expect']);
const STRIPPED_PREFIXES = ['x-forwarded-', 'x-user-'];

/**
 * Hop-by-hop headers describe the client's connection to the proxy. Forwarded, a client's
 * `Connection: close` would make the backend drop the proxy's keep-alive socket after every
 * request. An upgrade keeps `connection`/`upgrade`: they are the handshake.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

export interface ForwardedFacts {
  readonly requestId: string;
  /** The client's socket address. */
  readonly clientAddress: string | undefined;
  readonly encrypted: boolean;
  /** A WebSocket handshake: keep `connection` and `upgrade`. */
  readonly upgrade?: boolean;
}

/** True for a request header the client may not set. Names are lower-case, as Node gives them. */
export function isReservedRequestHeader(name: string): boolean {
  if (STRIPPED.has(name)) return true;
  for (const prefix of STRIPPED_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/**
 * Rewrites a request's headers in place before forwarding: hop-by-hop and reserved headers
 * removed, then `x-request-id` and `x-forwarded-for/proto/host` set from what the proxy
 * itself saw. A client's own `authorization` passes untouched.
 */
export function applyRequestHeaderPolicy(headers: IncomingHttpHeaders, facts: ForwardedFacts): void {
  if (!facts.upgrade) {
    const connection = headers.connection;
    if (connection !== undefined) {
      for (const token of connection.split(',')) {
        const name = token.trim().toLowerCase();
        if (name && name !== 'transfer-encoding' && name !== 'content-length') delete headers[name];
      }
    }
    for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];
  }
  for (const name in headers) {
    // Cheap first-letter test keeps the common case (accept, cookie, user-agent…) fast.
    const first = name.charCodeAt(0);
    if ((first === 0x78 /* x */ || first === 0x66 /* f */ || first === 0x65 /* e */) && isReservedRequestHeader(name)) {
      delete headers[name];
    }
  }
  headers['x-request-id'] = facts.requestId;
  if (facts.clientAddress) headers['x-forwarded-for'] = facts.clientAddress;
  headers['x-forwarded-proto'] = facts.encrypted ? 'https' : 'http';
  if (headers.host) headers['x-forwarded-host'] = headers.host;
}
