import type { SessionData } from '../../../lib/legacy-session/session-cookie.js';
import type { LiveSession } from './bridge-policy.js';

export type FindResult = { ok: true; session: LiveSession } | { ok: false; reason: 'no-session' | 'store-error' };

/**
 * What the bridge needs of the legacy session store, and nothing more: so the bridge does
 * not know SQLite, and a test can give it any real store.
 */
export interface BridgeSessions {
  /**
   * The session if it is live (stored, not expired) and its user still exists, with the
   * user's role and token state; `cachedJti` is checked against the denylist in the same read.
   */
  find(sid: string, cachedJti: string | undefined, nowMs: number): FindResult;
  /** Moves a live session's expiry (cookie.expires and the row's expires_at); a gone session stays gone. */
  touch(sid: string, expiresAt: number, nowMs: number): void;
  /** Stores a new session under a fresh uid-safe(24) id, in express-session's format; returns the id. */
  create(data: SessionData): string;
  remove(sid: string): void;
  close(): void;
}
