import uid from 'uid-safe';
import type { Logger } from '../../../../lib/logger.js';
import { clearSessionCookie, newStoredCookie, SESSION_MAX_AGE_MS, serializeSessionCookie, type SessionData } from '../../../../lib/legacy-session/session-cookie.js';
import type { SessionConfig } from '../../config/index.js';
import type { LiveSession } from '../bridge-policy.js';
import { getDotPath, sessionUserValue, setDotPath } from './dot-path.js';
import type { FindResult, SessionSource } from './session-source.js';
import type { SessionStore, StoredSession } from './session-store.js';

export interface StoreSourceOptions {
  readonly config: SessionConfig;
  /** The secrets the cookie is signed with (the first signs new cookies). */
  readonly secrets: readonly string[];
  /** New cookies carry `Secure`. */
  readonly secure: boolean;
  readonly logger: Logger;
}

/**
 * A SessionSource over a store read from outside the app (SQLite, Redis): the user and
 * claims come from routes.yaml's dot paths (or the joined users row), cookies are signed and
 * cleared the way express-session does, and new sessions get a uid-safe(24) id, as
 * express-session's own generator makes them.
 */
export function storeSessionSource(kind: 'sqlite' | 'redis', store: SessionStore, options: StoreSourceOptions): SessionSource & { findSync?: (sid: string, nowMs: number) => FindResult } {
  const { config, secrets, secure, logger } = options;
  if (secrets.length === 0) throw new Error(`session source ${kind}: no session secret; set SESSION_SECRET (or the backend's session.secrets) to the legacy app's`);

  function toLive(stored: StoredSession | undefined): FindResult {
    if (!stored) return { ok: false, reason: 'no-session' };
    const userValue = getDotPath(stored.data, config.user);
    if (userValue === undefined || userValue === null || userValue === '' || typeof userValue === 'object') return { ok: false, reason: 'no-session' };
    const claims: Record<string, unknown> = {};
    for (const [claim, path] of Object.entries(config.claims)) {
      const value = stored.user ? stored.user[path] : getDotPath(stored.data, path);
      if (value !== undefined && value !== null) claims[claim] = value;
    }
    const cookie = getDotPath(stored.data, 'cookie.originalMaxAge');
    const session: LiveSession = {
      sub: String(userValue),
      claims,
      expiresAt: stored.expiresAt,
      originalMaxAge: typeof cookie === 'number' && Number.isFinite(cookie) ? cookie : null,
      validAfter: stored.validAfter ?? 0,
      revoked: stored.revoked ?? false,
    };
    return { ok: true, session };
  }

  // One line per outage, not per request: the store logs its own outages, this only the first read in a while.
  let warnedAt = -Infinity;
  function storeError(err: unknown): FindResult {
    const now = Date.now();
    if (now - warnedAt >= 10_000) {
      warnedAt = now;
      logger.warn({ err: String(err), source: kind }, `session bridge: the ${kind} session store could not be read; treated as no session (the proxy_bridge_events_total{event="store-error"} metric counts each one)`);
    }
    return { ok: false, reason: 'store-error' };
  }

  const source: SessionSource & { findSync?: (sid: string, nowMs: number) => FindResult } = {
    kind,
    verifiesCookies: true,
    async find({ sid, cachedJti, nowMs }) {
      try {
        return toLive(await store.get(sid, nowMs, cachedJti));
      } catch (err) {
        return storeError(err);
      }
    },
    async touch({ sid, nowMs }, expiresAt) {
      try {
        await store.touch(sid, expiresAt, nowMs);
      } catch (err) {
        // A missed touch costs the session one interval of lifetime, not the request.
        logger.warn({ err: String(err), source: kind }, 'session bridge: touching a session failed');
      }
    },
    async login(sub, claims, { sid, nowMs }) {
      const data: SessionData = { cookie: newStoredCookie(nowMs, secure) };
      setDotPath(data, config.user, sessionUserValue(sub));
      // With a users table the claims live in its row; otherwise they are written where the app reads them.
      if (!config.sqlite.users || kind !== 'sqlite') {
        for (const [claim, path] of Object.entries(config.claims)) if (claims[claim] !== undefined) setDotPath(data, path, claims[claim]);
      }
      try {
        if (sid) await store.destroy(sid);
        const fresh = uid.sync(24);
        await store.set(fresh, data, nowMs + SESSION_MAX_AGE_MS);
        return { ok: true, setCookie: [serializeSessionCookie(fresh, data, secrets, config.cookie)] };
      } catch (err) {
        logger.error({ err: String(err), source: kind }, 'session bridge: writing the new legacy session failed; the login stands on the jwt side only');
        return { ok: false, reason: 'store-error' };
      }
    },
    async logout({ sid }) {
      try {
        await store.destroy(sid);
      } catch (err) {
        logger.error({ err: String(err), source: kind }, 'session bridge: destroying the legacy session failed; its cookie is cleared all the same');
      }
      return { setCookie: [clearSessionCookie(secure, config.cookie)] };
    },
    close: () => store.close(),
  };
  const getSync = (store as SessionStore & { getSync?: (sid: string, nowMs: number) => StoredSession | undefined }).getSync;
  if (getSync) {
    source.findSync = (sid, nowMs) => {
      try {
        return toLive(getSync.call(store, sid, nowMs));
      } catch (err) {
        return storeError(err);
      }
    };
  }
  return source;
}
