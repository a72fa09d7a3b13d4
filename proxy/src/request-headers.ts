import type { IncomingHttpHeaders } from 'node:http';

/**
 * Request headers the client may not set, by rule rather than by list: the system's parts
 * talk to each other in headers, and a client sending one could pose as another user
 * (`x-user-*`, `x-acting-user-id`), forge the bridge's or the adapter's signals (`x-auth-*`,
 * `x-strangler-*`), fake a shadow copy (`x-shadow-*`), or fake its address (`x-forwarded-*`,
 * `forwarded`). So every header of these families is dropped, including names no part uses
 * yet: a new internal header picks a family (new ones go under `x-strangler-`) and is
 * stripped from day one. `x-request-id` is the client's to give (it is checked, not
 * trusted). `expect` goes too: the proxy's own server has already answered `100 Continue`.
 */
export const RESERVED_HEADER_FAMILIES = ['strangler', 'forwarded', 'user', 'acting', 'auth', 'shadow', 'backend', 'routes'] as const;
const FAMILIES: ReadonlySet<string> = new Set(RESERVED_HEADER_FAMILIES);
const RESERVED_NAMES: ReadonlySet<string> = new Set(['forwarded', 'expect']);

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

/**
 * True for a request header the client may not set: `x-<family>` or `x-<family>-…` for a
 * reserved family (so `x-user-id` and `x-auth-token` are reserved, `x-users` is not), and
 * `forwarded`, `expect`. Names are lower-case, as Node gives them.
 */
export function isReservedRequestHeader(name: string): boolean {
  if (name.charCodeAt(0) !== 0x78 /* x */ || name.charCodeAt(1) !== 0x2d /* - */) return RESERVED_NAMES.has(name);
  const dash = name.indexOf('-', 2);
  return FAMILIES.has(dash === -1 ? name.slice(2) : name.slice(2, dash));
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
