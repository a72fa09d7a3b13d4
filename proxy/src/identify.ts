import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE_NAME } from '../../lib/legacy-session/session-cookie.js';
import { canaryIdentity, type RouteTable } from './config/index.js';

/**
 * Who a request comes from, for sticky canary buckets: a stable string per user, or
 * undefined when nothing identifies the caller. The bridge plugs in a version that reads
 * the user id from the session store.
 */
export type Identify = (req: IncomingMessage, table: RouteTable) => string | undefined;

const COOKIE_PREFIX = `${SESSION_COOKIE_NAME}=`;

/**
 * The default identity: the session id inside `connect.sid` (unverified: a bucket is not an
 * access decision, and a forged cookie only picks its own side), else the client address.
 */
export const identifyBySessionOrAddress: Identify = (req) =>
  canaryIdentity({ sessionId: sessionIdFromCookieHeader(req.headers.cookie), clientAddress: req.socket.remoteAddress });

/** The `<sid>` of `connect.sid=s%3A<sid>.<mac>`, or undefined. */
export function sessionIdFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let at = header.indexOf(COOKIE_PREFIX);
  while (at > 0 && header[at - 1] !== ' ' && header[at - 1] !== ';') at = header.indexOf(COOKIE_PREFIX, at + 1);
  if (at < 0) return undefined;
  const start = at + COOKIE_PREFIX.length;
  const end = header.indexOf(';', start);
  let value = (end < 0 ? header.slice(start) : header.slice(start, end)).trim();
  try {
    value = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  const sid = dot > 2 ? value.slice(2, dot) : '';
  return sid.length > 0 ? sid : undefined;
}
