import type { IncomingMessage } from 'node:http';
import { readSessionId } from '../../../lib/legacy-session/session-cookie.js';
import type { LiveSession } from './bridge-policy.js';

/**
 * What the bridge learnt about one request, as the client sent it. Made once per request
 * (identity, forwarding and the answer all use it), before any hook edits the headers.
 */
export interface RequestView {
  /** The session id, when `connect.sid` carries a valid signature under one of the secrets. */
  readonly sid: string | undefined;
  readonly cookieState: 'absent' | 'unsigned' | 'bad-signature' | 'valid';
  /** The Cookie header as the client sent it. */
  readonly cookie: string | undefined;
  /** The client sent its own Authorization header. */
  readonly clientAuthorization: boolean;
  /** The session tag (HMAC of sid), once computed. */
  tag: string | undefined;
  /** The store has been asked (once per request, every request). */
  looked: boolean;
  session: LiveSession | undefined;
}

/** Reads the request's cookie (every secret, timing-safe: S1, S2) and notes a client Authorization. */
export function readRequestView(req: IncomingMessage, secrets: readonly string[]): RequestView {
  const cookie = req.headers.cookie;
  const read = readSessionId(cookie, secrets);
  return {
    sid: read.ok ? read.sid : undefined,
    cookieState: read.ok ? 'valid' : read.reason,
    cookie,
    clientAuthorization: req.headers.authorization !== undefined,
    tag: undefined,
    looked: false,
    session: undefined,
  };
}
