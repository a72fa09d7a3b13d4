import signature from 'cookie-signature';
import { parse, serialize, type SerializeOptions } from 'cookie';

/** The legacy app's session cookie: name and attributes are part of the frontend contract. */
export const SESSION_COOKIE_NAME = 'connect.sid';
export const SESSION_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** What express-session stores under `cookie` (Cookie#toJSON); undefined fields are dropped by JSON. */
export interface StoredCookie {
  originalMaxAge: number | null;
  expires?: string | null;
  secure?: boolean;
  httpOnly?: boolean;
  path?: string;
  domain?: string;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
}

/** A session as the legacy app stores it: express-session's cookie plus the app's `userId`. */
export interface SessionData {
  cookie: StoredCookie;
  userId?: number;
  [key: string]: unknown;
}

export type UnsignResult = { ok: true; sid: string } | { ok: false; reason: 'absent' | 'unsigned' | 'bad-signature' };

/**
 * Reads `connect.sid` from a Cookie header the way express-session does: URI-decoded,
 * `s:` prefix required, signature checked (timing-safe) against every secret in turn so
 * that rotating SESSION_SECRET logs nobody out. An unsigned cookie counts as no session.
 */
export function readSessionId(cookieHeader: string | undefined, secrets: readonly string[], name = SESSION_COOKIE_NAME): UnsignResult {
  const raw = readCookieValue(cookieHeader, name);
  if (raw === undefined) return { ok: false, reason: 'absent' };
  if (raw === null) return { ok: false, reason: 'bad-signature' };
  if (!raw.startsWith('s:')) return { ok: false, reason: 'unsigned' };
  for (const secret of secrets) {
    const sid = signature.unsign(raw.slice(2), secret);
    if (sid !== false) return { ok: true, sid };
  }
  return { ok: false, reason: 'bad-signature' };
}

/** The cookie's value, URI-decoded as express-session reads it; undefined when absent, null when the header does not parse. */
export function readCookieValue(cookieHeader: string | undefined, name = SESSION_COOKIE_NAME): string | undefined | null {
  if (!cookieHeader) return undefined;
  try {
    return parse(cookieHeader)[name] || undefined;
  } catch {
    return null;
  }
}

/** `s:<sid>.<mac>` signed with the first secret, as express-session writes it. */
export function signSessionId(sid: string, secrets: readonly string[]): string {
  const secret = secrets[0];
  if (!secret) throw new Error('signSessionId: no session secret configured');
  return `s:${signature.sign(sid, secret)}`;
}

/**
 * The cookie attributes the legacy app uses (express-session `cookie` option). `secure`
 * is only present when on, so the stored session JSON matches the contract byte for byte.
 */
export function sessionCookieOptions(secure = false) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', maxAge: SESSION_MAX_AGE_MS, ...(secure ? { secure: true } : {}) };
}

/** A fresh session record in express-session's stored format, for a logged-in user. */
export function newSessionData(userId: number, now = Date.now(), secure = false): SessionData {
  return { cookie: newStoredCookie(now, secure), userId };
}

/** The `cookie` express-session stores for a session made now, with the legacy app's attributes. */
export function newStoredCookie(now = Date.now(), secure = false): StoredCookie {
  return {
    originalMaxAge: SESSION_MAX_AGE_MS,
    expires: new Date(now + SESSION_MAX_AGE_MS).toISOString(),
    ...(secure ? { secure: true } : {}),
    httpOnly: true,
    path: '/',
    sameSite: 'lax',
  };
}

/** The Set-Cookie value express-session sends for a session (same attributes, same encoding). */
export function serializeSessionCookie(sid: string, data: SessionData, secrets: readonly string[], name = SESSION_COOKIE_NAME): string {
  const c = data.cookie;
  const options: SerializeOptions = {
    path: c.path ?? '/',
    httpOnly: c.httpOnly ?? true,
    sameSite: c.sameSite ?? 'lax',
    ...(c.expires ? { expires: new Date(c.expires) } : {}),
    ...(c.secure ? { secure: true } : {}),
    ...(c.domain ? { domain: c.domain } : {}),
  };
  return serialize(name, signSessionId(sid, secrets), options);
}

/** The Set-Cookie value the legacy logout sends to clear the cookie (with Secure when cookies are secure). */
export function clearSessionCookie(secure = false, name = SESSION_COOKIE_NAME): string {
  return serialize(name, '', { path: '/', httpOnly: true, sameSite: 'lax', expires: new Date(0), ...(secure ? { secure: true } : {}) });
}

/** Expiry of a stored session in epoch ms (express-session: cookie.expires, else a day). */
export function sessionExpiry(data: SessionData, now = Date.now()): number {
  const expires = data.cookie?.expires;
  const ms = expires ? Date.parse(expires) : NaN;
  return Number.isFinite(ms) ? ms : now + SESSION_MAX_AGE_MS;
}
