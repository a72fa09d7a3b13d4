import type { LiveSession } from '../bridge-policy.js';

/** Where the bridge reads a legacy app's sessions (routes.yaml `backends.<name>.session.source`). */
export type SessionSourceKind = 'sqlite' | 'redis' | 'adapter';

export type FindResult =
  | { ok: true; session: LiveSession }
  | { ok: false; reason: 'no-session' | 'store-error' };

/** What the bridge knows of the request when it asks a source. */
export interface SourceRequest {
  /** The session key: the verified session id (store sources), or the raw cookie value (adapter). */
  readonly sid: string;
  /** The Cookie header as the client sent it (the adapter forwards it to the legacy app). */
  readonly cookieHeader: string | undefined;
  /** The jti of the token cached for this session, to check against a denylist in the same read. */
  readonly cachedJti: string | undefined;
  readonly nowMs: number;
}

export type LoginResult =
  | { ok: true; setCookie: readonly string[] }
  | { ok: false; reason: string };

/**
 * What the session ↔ JWT bridge needs of a legacy app's sessions, whatever keeps them. Every
 * method is async (a network store or the adapter may answer late); a source never throws
 * for an expected failure: a store that is down reads as `store-error`, a forged cookie as
 * `no-session`. A thrown error is a bug.
 */
export interface SessionSource {
  readonly kind: SessionSourceKind;
  /**
   * Store sources verify the cookie's signature with the configured secrets and key the
   * session by its id; the adapter source cannot (the app holds the secret) and keys it by
   * the raw cookie value, which only the app can turn into a session.
   */
  readonly verifiesCookies: boolean;
  /** The live session behind `req.sid` with its user (sub) and mapped claims. */
  find(req: SourceRequest): Promise<FindResult>;
  /** Moves a live session's expiry as express-session's touch() would; a gone session stays gone. */
  touch(req: SourceRequest, expiresAt: number): Promise<void>;
  /**
   * A login answered by a jwt backend: a new legacy session for `sub` (with `claims` where the
   * source writes them), replacing the request's own session if any. Returns the Set-Cookie
   * values the browser must get.
   */
  login(sub: string, claims: Readonly<Record<string, unknown>>, req: Omit<SourceRequest, 'sid' | 'cachedJti'> & { readonly sid: string | undefined }): Promise<LoginResult>;
  /** A logout answered by a jwt backend: the session ends; returns the Set-Cookie values (a cleared cookie). */
  logout(req: Omit<SourceRequest, 'cachedJti'>): Promise<{ setCookie: readonly string[] }>;
  close(): Promise<void>;
}
