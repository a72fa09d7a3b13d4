/**
 * A session store read from outside the legacy app (SQLite, Redis): express-session's
 * stored JSON by session id. storeSessionSource() turns one into a SessionSource: it maps
 * the user and claims, signs and clears cookies, and makes session ids. A store only keeps
 * bytes; it knows nothing of users, cookies or tokens.
 */
export interface StoredSession {
  /** The session's JSON as express-session stored it (`cookie` plus the app's fields). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Expiry, epoch ms (the store's own: expires_at, the key's TTL, cookie.expires). */
  readonly expiresAt: number;
  /** A row of a users table joined by the store (sqlite `users:`), read for the claims; a missing user means no session. */
  readonly user?: Readonly<Record<string, unknown>>;
  /** The user's tokens-valid-after, epoch s (0 when the store has no token state). */
  readonly validAfter?: number;
  /** The cached token's jti is on the store's denylist. */
  readonly revoked?: boolean;
}

export interface SessionStore {
  /** The live session (not expired), or undefined. Throws when the store cannot be read: the caller counts a store error. */
  get(sid: string, nowMs: number, cachedJti: string | undefined): Promise<StoredSession | undefined>;
  /** Sets cookie.expires (and the store's own expiry) of a live session; never recreates a gone one. */
  touch(sid: string, expiresAt: number, nowMs: number): Promise<void>;
  /** Writes a new session under `sid` (made by the caller), expiring at `expiresAt`. */
  set(sid: string, data: Readonly<Record<string, unknown>>, expiresAt: number): Promise<void>;
  destroy(sid: string): Promise<void>;
  close(): Promise<void>;
}
