import type { IncomingMessage } from 'node:http';
import { readCookieValue, readSessionId } from '../../../lib/legacy-session/session-cookie.js';
import type { LiveSession } from './bridge-policy.js';
import type { SessionBinding } from './session-sources.js';

/**
 * What the bridge learnt about one request, as the client sent it. Made once per request
 * (identity, forwarding and the answer all use it), before any hook edits the headers.
 */
export interface RequestView {
  readonly binding: SessionBinding;
  /**
   * The session key: the id inside a cookie whose signature checks out under one of the
   * secrets (store sources), or the raw cookie value (adapter: only the app can verify it).
   */
  readonly sid: string | undefined;
  readonly cookieState: 'absent' | 'unsigned' | 'bad-signature' | 'valid';
  /** The Cookie header as the client sent it. */
  readonly cookie: string | undefined;
  /** The client sent its own Authorization header. */
  readonly clientAuthorization: boolean;
  /** The session tag (HMAC of sid), once computed. */
  tag: string | undefined;
  /** The source's answer, asked once per request. */
  session: Promise<LiveSession | undefined> | undefined;
}

/** Reads the request's session cookie (every secret, timing-safe: S1, S2) and notes a client Authorization. */
export function readRequestView(req: IncomingMessage, binding: SessionBinding): RequestView {
  const cookie = req.headers.cookie;
  const name = binding.config.cookie;
  let sid: string | undefined;
  let cookieState: RequestView['cookieState'];
  if (binding.source.verifiesCookies) {
    const read = readSessionId(cookie, binding.secrets, name);
    sid = read.ok ? read.sid : undefined;
    cookieState = read.ok ? 'valid' : read.reason;
  } else {
    const raw = readCookieValue(cookie, name);
    sid = typeof raw === 'string' && raw.length <= 4096 ? raw : undefined;
    cookieState = sid ? 'valid' : raw === null ? 'bad-signature' : 'absent';
  }
  return { binding, sid, cookieState, cookie, clientAuthorization: req.headers.authorization !== undefined, tag: undefined, session: undefined };
}
