import type { IncomingMessage } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../../../lib/logger.js';
import { AUDIENCE, type TokenService } from '../../../lib/tokens.js';
import { canaryIdentity } from '../config/index.js';
import type { ProxyExtension } from '../extension.js';
import type { ForwardContext } from '../forward-context.js';
import type { Identify } from '../identify.js';
import type { AuthorizeShadow } from '../shadow/index.js';
import { createBridgeMetrics, NO_BRIDGE_METRICS, type BridgeEvent, type BridgeMetrics } from './bridge-metrics.js';
import { BRIDGE_TOKEN_MAX_TTL_SEC, canReuse, DEFAULT_REUSE_MARGIN_SEC, DEFAULT_TOUCH_INTERVAL_MS, tokenExpiry, touchedExpiry, type LiveSession } from './bridge-policy.js';
import type { BridgeSessions } from './bridge-sessions.js';
import { withoutSessionCookie } from './cookie-header.js';
import { readRequestView, type RequestView } from './request-view.js';
import { createSessionSignals } from './session-signals.js';
import { TokenCache } from './token-cache.js';

export interface SessionBridgeOptions {
  /** SESSION_SECRET as a list: the first signs new cookies, every one verifies (rotation, S2). */
  readonly sessionSecrets: readonly string[];
  /** Cookies carry `Secure` (and sessions store `cookie.secure`): the proxy is behind TLS. Default false. */
  readonly secureCookies?: boolean;
  /** Bridged token lifetime, at most (and by default) 300 s. */
  readonly tokenTtlSec?: number;
  /** A cached token is re-minted this long before its expiry (default 45 s). */
  readonly reuseMarginSec?: number;
  /** A session's expiry is written back at most this often (default 60 s); 0 writes on every request. */
  readonly touchIntervalMs?: number;
  /** Cached tokens at most (default 10 000). */
  readonly maxCachedTokens?: number;
}

/** The part of lib/tokens the bridge uses. */
export type TokenMinter = Pick<TokenService, 'mint' | 'verify' | 'sessionTag'>;

export interface SessionBridgeDeps {
  readonly sessions: BridgeSessions;
  readonly tokens: TokenMinter;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export interface SessionBridge extends ProxyExtension {
  /** Canary identity: the session's user id, else the (verified) session id, else the client address. */
  readonly identify: Identify;
  /** For the shadow extension: a bridged token for a copy sent to a `jwt` backend. */
  readonly authorizeShadow: AuthorizeShadow;
  /** Counts `proxy_bridge_events_total{event}` in the proxy's registry. */
  registerMetrics(registry: Registry): void;
}

/**
 * The session ↔ JWT bridge (DESIGN §6) as a proxy extension. Towards a `jwt` backend it
 * turns a live legacy session into a short bearer token; from one, it turns `X-Auth-Token`
 * into a legacy session cookie and `X-Auth-Logout: 1` into a destroyed session. Requests
 * to `session` backends are not touched.
 *
 * @example
 * const bridge = createSessionBridge({ sessionSecrets }, { sessions: createSqliteBridgeSessions(db, logger), tokens, logger });
 * const created = createProxy(options, { logger, extensions: [shadow, bridge], identify: bridge.identify });
 */
export function createSessionBridge(options: SessionBridgeOptions, deps: SessionBridgeDeps): SessionBridge {
  const secrets = [...options.sessionSecrets];
  if (secrets.length === 0 || secrets.some((s) => s === '')) throw new Error('session bridge: SESSION_SECRET is empty; set the same secret(s) the legacy app uses');
  const ttlSec = options.tokenTtlSec ?? BRIDGE_TOKEN_MAX_TTL_SEC;
  if (!(ttlSec > 0 && ttlSec <= BRIDGE_TOKEN_MAX_TTL_SEC)) throw new Error(`session bridge: tokenTtlSec must be 1-${BRIDGE_TOKEN_MAX_TTL_SEC}, got ${ttlSec}`);
  const marginSec = options.reuseMarginSec ?? Math.min(DEFAULT_REUSE_MARGIN_SEC, Math.floor(ttlSec / 2));
  if (!(marginSec >= 0 && marginSec < ttlSec)) throw new Error(`session bridge: reuseMarginSec must be 0 or more and below tokenTtlSec (${ttlSec}), got ${marginSec}`);
  const touchIntervalMs = options.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS;
  const secure = options.secureCookies ?? false;
  const { sessions, tokens, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const cache = new TokenCache(options.maxCachedTokens ?? 10_000);
  const views = new WeakMap<IncomingMessage, RequestView>();
  let metrics: BridgeMetrics = NO_BRIDGE_METRICS;
  const count = (event: BridgeEvent) => metrics.count(event);

  function view(req: IncomingMessage): RequestView {
    let v = views.get(req);
    if (!v) {
      v = readRequestView(req, secrets);
      views.set(req, v);
    }
    return v;
  }

  /** The live session behind the request's cookie: the store is asked once per request, every request. */
  function live(v: RequestView): LiveSession | undefined {
    if (v.looked) return v.session;
    v.looked = true;
    if (!v.sid) return undefined;
    const tag = (v.tag = tokens.sessionTag(v.sid));
    const found = sessions.find(v.sid, cache.get(tag)?.jti, clock());
    if (!found.ok) {
      cache.delete(tag);
      count(found.reason);
      return undefined;
    }
    v.session = found.session;
    return v.session;
  }

  /** A token for the session: the cached one while it still speaks for it, else a new one. */
  function tokenFor(tag: string, session: LiveSession): string | Promise<string> {
    const now = clock();
    const cached = cache.get(tag);
    if (cached && canReuse(cached, session, now, marginSec)) return cached.token;
    return tokens.mint({
      sub: session.userId,
      role: session.role,
      audience: AUDIENCE.newBackend,
      ttlSec,
      notAfter: tokenExpiry(now, session.expiresAt, ttlSec),
      sid: tag,
      issuedAtLeast: session.validAfter,
    }).then(({ token, claims }) => {
      cache.set(tag, { token, jti: claims.jti, userId: session.userId, role: session.role, iat: claims.iat, exp: claims.exp });
      count('minted');
      return token;
    });
  }

  function bridgeRequest(ctx: ForwardContext): void | Promise<void> {
    const { req } = ctx;
    const v = view(req);
    if (v.cookie !== undefined) {
      const rest = withoutSessionCookie(v.cookie);
      if (rest === undefined) delete req.headers.cookie;
      else req.headers.cookie = rest;
    }
    // The client's own credential is the backend's to judge (DESIGN §6): nothing is added.
    if (v.clientAuthorization) return count('client-authorization');
    if (!v.sid) {
      if (v.cookieState !== 'absent') logger.debug({ reqId: ctx.requestId, cookie: v.cookieState }, 'session bridge: cookie refused, forwarding without a token');
      return count(v.cookieState === 'absent' ? 'no-cookie' : 'bad-cookie');
    }
    let session = live(v);
    if (!session || !v.tag) return;
    const now = clock();
    const touched = touchedExpiry(session, now, touchIntervalMs);
    if (touched !== undefined) {
      sessions.touch(v.sid, touched, now);
      session = v.session = { ...session, expiresAt: touched };
      count('touched');
    }
    count('bridged');
    const token = tokenFor(v.tag, session);
    if (typeof token === 'string') {
      req.headers.authorization = `Bearer ${token}`;
      return;
    }
    return token.then((t) => {
      req.headers.authorization = `Bearer ${t}`;
    });
  }

  /** The request's own session ends: destroyed in the store, its token forgotten. */
  function endSession(v: RequestView): void {
    if (!v.sid) return;
    sessions.remove(v.sid);
    cache.delete(v.tag ?? tokens.sessionTag(v.sid));
  }

  const signals = createSessionSignals({ sessions, tokens, secrets, secure, logger, clock, count, view: (ctx) => view(ctx.req), endSession });

  return {
    name: 'session-bridge',
    identify(req) {
      const v = view(req);
      const clientAddress = req.socket.remoteAddress;
      if (!v.sid) return canaryIdentity({ clientAddress });
      return canaryIdentity({ userId: live(v)?.userId, sessionId: v.sid, clientAddress });
    },
    authorizeShadow(req, backend) {
      if (backend.auth !== 'jwt') return undefined;
      const v = view(req);
      if (v.clientAuthorization) return undefined;
      const cookie = v.cookie === undefined ? undefined : (withoutSessionCookie(v.cookie) ?? null);
      const session = live(v);
      if (!session || !v.tag) return { cookie };
      return Promise.resolve(tokenFor(v.tag, session)).then((t) => ({ authorization: `Bearer ${t}`, cookie }));
    },
    registerMetrics(registry) {
      if (metrics === NO_BRIDGE_METRICS) metrics = createBridgeMetrics(registry);
    },
    beforeForward(ctx) {
      if (ctx.backend.auth !== 'jwt') return;
      return bridgeRequest(ctx);
    },
    onResponseHeaders(ctx, upstream) {
      if (ctx.backend.auth !== 'jwt') return;
      return signals.onAnswer(ctx, upstream);
    },
    close() {
      cache.clear();
      sessions.close();
    },
  };
}
