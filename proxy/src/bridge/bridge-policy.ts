/**
 * The bridge's decisions as pure functions of numbers: how long a minted token may live,
 * when a cached one may be reused, when a session is due for a touch. Times are epoch
 * milliseconds unless a name says seconds.
 */

/** Bridged tokens live at most this long (SECURITY S4): a destroyed session stops bridging within one TTL. */
export const BRIDGE_TOKEN_MAX_TTL_SEC = 5 * 60;
/** A cached token is re-minted this long before it expires, so a request never carries one about to lapse. */
export const DEFAULT_REUSE_MARGIN_SEC = 45;
/** A bridged session's expiry is written back at most this often (see touchedExpiry). */
export const DEFAULT_TOUCH_INTERVAL_MS = 60_000;

/** What the source says about a live session and its user, as of this request. */
export interface LiveSession {
  /** The user id, as a string (the token's `sub`). */
  readonly sub: string;
  /** The claims routes.yaml maps (`role`, …), read from the session or the user's row. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The session's expiry (cookie.expires), epoch ms. */
  readonly expiresAt: number;
  /** express-session's cookie.originalMaxAge (ms); null for a browser-session cookie. */
  readonly originalMaxAge: number | null;
  /** The user's tokens-valid-after (epoch seconds, 0 when never set). */
  readonly validAfter: number;
  /** The cached token's jti is on the denylist. */
  readonly revoked: boolean;
}

/** A token the bridge minted for a session, as the cache keeps it. */
export interface CachedToken {
  readonly token: string;
  readonly jti: string;
  readonly sub: string;
  /** The claims it carries, as canonical JSON, so a change of role means a new token. */
  readonly claimsKey: string;
  /** Epoch seconds. */
  readonly iat: number;
  readonly exp: number;
}

/**
 * The expiry (epoch seconds) of a token minted now: the earlier of now + ttl and the
 * session's own expiry, so no token outlives the session it stands for.
 */
export function tokenExpiry(nowMs: number, sessionExpiresAt: number, ttlSec = BRIDGE_TOKEN_MAX_TTL_SEC): number {
  const ttl = Math.min(ttlSec, BRIDGE_TOKEN_MAX_TTL_SEC);
  return Math.min(Math.floor(nowMs / 1000) + ttl, Math.floor(sessionExpiresAt / 1000));
}

/**
 * Whether a cached token still speaks for this session: same user and claims, not revoked,
 * not issued before the user's tokens-valid-after (a password change), inside the session's
 * expiry, and not within `marginSec` of its own.
 */
export function canReuse(cached: CachedToken, live: LiveSession, nowMs: number, marginSec = DEFAULT_REUSE_MARGIN_SEC): boolean {
  return cached.sub === live.sub
    && cached.claimsKey === claimsKey(live.claims)
    && !live.revoked
    && cached.iat >= live.validAfter
    && cached.exp * 1000 <= live.expiresAt
    && cached.exp - marginSec > nowMs / 1000;
}

/**
 * The new expiry when a bridged request should touch its session, else undefined.
 * express-session's touch() sets cookie.expires = now + originalMaxAge on every request;
 * the bridge writes it only when it would move by at least `intervalMs`, which bounds the
 * writes to one per session per interval and costs a session at most that much lifetime.
 */
export function touchedExpiry(live: Pick<LiveSession, 'expiresAt' | 'originalMaxAge'>, nowMs: number, intervalMs = DEFAULT_TOUCH_INTERVAL_MS): number | undefined {
  const maxAge = live.originalMaxAge;
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge <= 0) return undefined;
  const next = nowMs + maxAge;
  return next - live.expiresAt >= intervalMs ? next : undefined;
}

/** Claims as canonical JSON (sorted keys), for comparing what two tokens say. */
export function claimsKey(claims: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(claims).sort().map((k) => [k, claims[k]]));
}
