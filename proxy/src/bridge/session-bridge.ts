import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../../../lib/logger.js';
import { canaryIdentity, type BackendConfig, type RouteTable } from '../config/index.js';
import type { ProxyExtension } from '../extension.js';
import type { ForwardContext } from '../forward-context.js';
import type { Identify } from '../identify.js';
import type { AuthorizeShadow } from '../shadow/mirror/shadow-settings.js';
import { BoundedCache } from './bounded-cache.js';
import { createBridgeMetrics, NO_BRIDGE_METRICS, type BridgeEvent, type BridgeMetrics } from './bridge-metrics.js';
import { BRIDGE_TOKEN_MAX_TTL_SEC, canReuse, claimsKey, DEFAULT_REUSE_MARGIN_SEC, DEFAULT_TOUCH_INTERVAL_MS, tokenExpiry, touchedExpiry, type CachedToken, type LiveSession } from './bridge-policy.js';
import { setsCookie, withoutSessionCookie } from './cookie-header.js';
import { readRequestView, type RequestView } from './request-view.js';
import { createSessionSignals } from './session-signals.js';
import type { SessionBinding, SessionSources } from './session-sources.js';
import type { BridgeSigner } from './tokens/bridge-signer.js';
import type { VerifyLoginToken } from './tokens/login-token.js';

export interface SessionBridgeOptions {
  /** Cookies carry `Secure`: the proxy is behind TLS. Default false. */
  readonly secureCookies?: boolean;
  /** A cached token is re-minted this long before its expiry (default 45 s). */
  readonly reuseMarginSec?: number;
  /** A session's expiry is written back at most this often (default 60 s); 0 writes on every request. */
  readonly touchIntervalMs?: number;
  /** Cached tokens and answers at most (default 10 000 each). */
  readonly maxCachedTokens?: number;
}

export interface SessionBridgeDeps {
  readonly sources: SessionSources;
  readonly signer: BridgeSigner;
  /** Checks a jwt backend's `X-Auth-Token`. */
  readonly verifyLoginToken: VerifyLoginToken;
  /**
   * The session tag: an HMAC of the session id, in tokens (`sid`) and as the caches' key.
   * Keyed by JWT_SECRET (lib/tokens sessionTag), so a backend sharing it can tell which of a
   * user's sessions a token stands for (a password change keeps that one); default a key
   * of the process's own.
   */
  readonly sessionTag?: (sid: string) => string;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export interface SessionBridge extends ProxyExtension {
  /** Canary identity: the session's user id, else the session id, else the client address. */
  readonly identify: Identify;
  /** For the shadow extension: a bridged token for a copy sent to a `jwt` backend. */
  readonly authorizeShadow: AuthorizeShadow;
  /** Counts `proxy_bridge_events_total{event}` in the proxy's registry. */
  registerMetrics(registry: Registry): void;
  /** The public keys bridged tokens are signed with (`GET /__proxy/jwks.json`). */
  jwks(): { keys: object[] };
  /**
   * Opens the session source a table names now (a process calls it at start, so a bad source
   * stops start-up) and returns it with its backend and settings, or undefined without one.
   */
  open(table: RouteTable): SessionBinding | undefined;
}

interface Answer {
  readonly session: LiveSession;
  readonly until: number;
}

/**
 * The session ↔ JWT bridge (DESIGN §6, §10) as a proxy extension. Towards a `jwt` backend it
 * turns a live legacy session (read from the source routes.yaml names: SQLite, Redis or the
 * adapter) into a short bearer token for that backend's audience; from one, it turns
 * `X-Auth-Token` into a legacy session and `X-Auth-Logout: 1` into a destroyed one.
 * Requests to `session` backends pass untouched; an answer of theirs that sets the session
 * cookie (a login, logout or regenerate) drops what the bridge remembered of that session.
 *
 * @example
 * const bridge = createSessionBridge({}, { sources: openSessionSources(…), signer, verifyLoginToken, logger });
 * const created = createProxy(options, { logger, extensions: [shadow, bridge], identify: bridge.identify });
 */
export function createSessionBridge(options: SessionBridgeOptions, deps: SessionBridgeDeps): SessionBridge {
  const secure = options.secureCookies ?? false;
  const touchIntervalMs = options.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS;
  const { sources, signer, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const maxEntries = options.maxCachedTokens ?? 10_000;
  /** Tokens by audience and session tag. */
  const tokens = new BoundedCache<CachedToken>(maxEntries);
  /** Sources' answers by session tag, reused for `revalidate_ms`. */
  const answers = new BoundedCache<Answer>(maxEntries);
  /** The last user seen behind each session tag: canary buckets stay by user when the source answers asynchronously. */
  const users = new BoundedCache<string>(maxEntries);
  const tagKey = randomBytes(32);
  const tagOf = deps.sessionTag ?? ((sid: string) => createHmac('sha256', tagKey).update(sid).digest('base64url'));
  const views = new WeakMap<IncomingMessage, RequestView>();
  let metrics: BridgeMetrics = NO_BRIDGE_METRICS;
  const count = (event: BridgeEvent) => metrics.count(event);

  const tokenKey = (audience: string, tag: string) => `${audience}\0${tag}`;
  const audienceOf = (backend: BackendConfig) => backend.audience ?? `strangler:${backend.name}`;

  function view(req: IncomingMessage, binding: SessionBinding): RequestView {
    let v = views.get(req);
    if (!v || v.binding !== binding) {
      v = readRequestView(req, binding);
      views.set(req, v);
    }
    return v;
  }

  /** Forgets everything about a session: its answer and its tokens for every jwt backend of the table. */
  function forget(tag: string, table: RouteTable): void {
    answers.delete(tag);
    for (const b of table.backends.values()) if (b.auth === 'jwt') tokens.delete(tokenKey(audienceOf(b), tag));
  }

  /** The live session behind the request's cookie: asked of the source once per request, or reused within revalidate_ms. */
  function live(v: RequestView, audience: string, table: RouteTable): Promise<LiveSession | undefined> {
    if (v.session) return v.session;
    const sid = v.sid;
    if (!sid) return (v.session = Promise.resolve(undefined));
    const tag = (v.tag ??= tagOf(sid));
    const now = clock();
    const { binding } = v;
    const cached = answers.get(tag);
    if (cached && cached.until > now) {
      count('cached');
      return (v.session = Promise.resolve(cached.session));
    }
    v.session = binding.source.find({ sid, cookieHeader: v.cookie, cachedJti: tokens.get(tokenKey(audience, tag))?.jti, nowMs: now }).then((found) => {
      if (!found.ok) {
        forget(tag, table);
        count(found.reason);
        return undefined;
      }
      users.set(tag, found.session.sub);
      if (binding.config.revalidateMs > 0) answers.set(tag, { session: found.session, until: clock() + binding.config.revalidateMs });
      return found.session;
    });
    return v.session;
  }

  // The newest table seen: a shadow copy is authorised without a request context.
  let lastTable: RouteTable | undefined;

  function bind(table: RouteTable): SessionBinding | undefined {
    lastTable = table;
    return sources.forTable(table);
  }

  /** A token for the session and audience: the cached one while it still speaks for it, else a new one. */
  async function tokenFor(tag: string, session: LiveSession, audience: string, ttlSec: number): Promise<string> {
    const now = clock();
    const key = tokenKey(audience, tag);
    const cached = tokens.get(key);
    const margin = Math.min(options.reuseMarginSec ?? DEFAULT_REUSE_MARGIN_SEC, Math.floor(ttlSec / 2));
    if (cached && canReuse(cached, session, now, margin)) return cached.token;
    const minted = await signer.mint({
      sub: session.sub,
      claims: session.claims,
      audience,
      ttlSec: Math.min(ttlSec, BRIDGE_TOKEN_MAX_TTL_SEC),
      notAfter: tokenExpiry(now, session.expiresAt, ttlSec),
      sid: tag,
      issuedAtLeast: session.validAfter,
    });
    tokens.set(key, { token: minted.token, jti: minted.jti, sub: session.sub, claimsKey: claimsKey(session.claims), iat: minted.iat, exp: minted.exp });
    count('minted');
    return minted.token;
  }

  async function bridgeRequest(ctx: ForwardContext, binding: SessionBinding): Promise<void> {
    const { req } = ctx;
    const v = view(req, binding);
    const name = binding.config.cookie;
    if (v.cookie !== undefined) {
      const rest = withoutSessionCookie(v.cookie, name);
      if (rest === undefined) delete req.headers.cookie;
      else req.headers.cookie = rest;
    }
    // The client's own credential is the backend's to judge (DESIGN §6): nothing is added.
    if (v.clientAuthorization) return count('client-authorization');
    if (!v.sid) {
      if (v.cookieState !== 'absent') logger.debug({ reqId: ctx.requestId, cookie: v.cookieState }, 'session bridge: cookie refused, forwarding without a token');
      return count(v.cookieState === 'absent' ? 'no-cookie' : 'bad-cookie');
    }
    const audience = audienceOf(ctx.backend);
    let session = await live(v, audience, ctx.table);
    if (!session || !v.tag) return;
    const now = clock();
    const touched = touchedExpiry(session, now, touchIntervalMs);
    if (touched !== undefined) {
      session = { ...session, expiresAt: touched };
      v.session = Promise.resolve(session);
      const cached = answers.get(v.tag);
      if (cached) answers.set(v.tag, { ...cached, session });
      void binding.source.touch({ sid: v.sid, cookieHeader: v.cookie, cachedJti: undefined, nowMs: now }, touched);
      count('touched');
    }
    count('bridged');
    req.headers.authorization = `Bearer ${await tokenFor(v.tag, session, audience, ctx.table.tokens.ttlSec)}`;
  }

  const signals = createSessionSignals({
    verifyLoginToken: deps.verifyLoginToken, secure, logger, clock, count,
    view: (ctx, binding) => view(ctx.req, binding),
    forget: (v, table) => {
      if (v.sid) forget(v.tag ??= tagOf(v.sid), table);
    },
  });

  return {
    name: 'session-bridge',
    identify(req, table) {
      const binding = bind(table);
      const clientAddress = req.socket.remoteAddress;
      if (!binding) return canaryIdentity({ clientAddress });
      const v = view(req, binding);
      if (!v.sid) return canaryIdentity({ clientAddress });
      const tag = (v.tag ??= tagOf(v.sid));
      const { source } = binding;
      let userId = users.get(tag);
      // A source that reads synchronously (SQLite) answers at once, so the first request is bucketed by user too.
      if (userId === undefined && 'findSync' in source && typeof source.findSync === 'function') {
        const found = (source.findSync as (sid: string, nowMs: number) => { ok: boolean; session?: LiveSession })(v.sid, clock());
        if (found.ok && found.session) userId = found.session.sub;
      }
      return canaryIdentity({ userId, sessionId: v.sid, clientAddress });
    },
    authorizeShadow(req, backend) {
      const table = lastTable;
      if (backend.auth !== 'jwt' || !table) return undefined;
      const binding = sources.forTable(table);
      if (!binding) return undefined;
      const v = view(req, binding);
      if (v.clientAuthorization) return undefined;
      const cookie = v.cookie === undefined ? undefined : (withoutSessionCookie(v.cookie, binding.config.cookie) ?? null);
      const target = table.backends.get(backend.name);
      const audience = target ? audienceOf(target) : `strangler:${backend.name}`;
      return live(v, audience, table).then(async (session) => {
        if (!session || !v.tag) return { cookie };
        return { authorization: `Bearer ${await tokenFor(v.tag, session, audience, table.tokens.ttlSec)}`, cookie };
      });
    },
    registerMetrics(registry) {
      if (metrics === NO_BRIDGE_METRICS) metrics = createBridgeMetrics(registry);
    },
    jwks: () => signer.jwks(),
    open: bind,
    registerPublic(router) {
      router.get('/jwks.json', (_req, res) => {
        res.set('cache-control', 'public, max-age=60').json(signer.jwks());
      });
    },
    beforeForward(ctx) {
      const binding = bind(ctx.table);
      if (ctx.backend.auth !== 'jwt' || !binding) return;
      return bridgeRequest(ctx, binding);
    },
    onResponseHeaders(ctx, upstream) {
      const binding = sources.forTable(ctx.table);
      if (!binding) return;
      if (ctx.backend.auth === 'jwt') return signals.onAnswer(ctx, upstream, binding);
      // The legacy app logged in, out or regenerated: what the bridge remembered of the old session is stale.
      if (ctx.backend.name === binding.backend.name && setsCookie(upstream.headers['set-cookie'], binding.config.cookie)) {
        const v = view(ctx.req, binding);
        if (v.sid) {
          forget(v.tag ??= tagOf(v.sid), ctx.table);
          count('invalidated');
        }
      }
    },
    async close() {
      tokens.clear();
      answers.clear();
      users.clear();
      await sources.close();
    },
  };
}
