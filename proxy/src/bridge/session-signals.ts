import type { Logger } from '../../../lib/logger.js';
import { clearSessionCookie } from '../../../lib/legacy-session/session-cookie.js';
import type { RouteTable } from '../config/index.js';
import type { UpstreamResponse } from '../extension.js';
import type { ForwardContext } from '../forward-context.js';
import type { BridgeEvent } from './bridge-metrics.js';
import { withSessionSetCookie } from './cookie-header.js';
import type { RequestView } from './request-view.js';
import type { SessionBinding } from './session-sources.js';
import type { VerifyLoginToken } from './tokens/login-token.js';

export interface SessionSignalsDeps {
  readonly verifyLoginToken: VerifyLoginToken;
  readonly secure: boolean;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly count: (event: BridgeEvent) => void;
  /** The request as the client sent it. */
  readonly view: (ctx: ForwardContext, binding: SessionBinding) => RequestView;
  /** Forgets the bridge's answer and tokens for the request's session. */
  readonly forget: (view: RequestView, table: RouteTable) => void;
}

/**
 * A jwt backend's answer to the proxy (DESIGN §6): `X-Auth-Token` becomes a new legacy
 * session and its cookie, `X-Auth-Logout: 1` a destroyed session and a cleared cookie, each
 * through the legacy backend's session source (a store written directly, or the adapter,
 * whose Set-Cookie is the app's own). Both headers are removed before the client sees the
 * answer, acted on or not.
 */
export function createSessionSignals(deps: SessionSignalsDeps) {
  const { logger, count } = deps;

  async function logIn(ctx: ForwardContext, upstream: UpstreamResponse, issued: string | string[], binding: SessionBinding): Promise<void> {
    const where = { reqId: ctx.requestId, backend: ctx.backend.name, path: ctx.path };
    if (upstream.statusCode < 200 || upstream.statusCode > 299 || typeof issued !== 'string') {
      logger.warn({ ...where, status: upstream.statusCode }, `session bridge: X-Auth-Token on a ${upstream.statusCode} answer (or sent twice) ignored; a backend sends it with a successful login only`);
      return count('refused-token');
    }
    const verified = await deps.verifyLoginToken(issued.trim(), ctx.backend.audience);
    if (!verified.ok) {
      logger.warn({ ...where, reason: verified.reason }, `session bridge: X-Auth-Token from backend "${ctx.backend.name}" refused (${verified.reason}); no session created. Check that the backend and the proxy share JWT_SECRET`);
      return count('refused-token');
    }
    // express-session's regenerate(): the session the browser came with ends, and the new
    // one gets an id the store makes up, never one the client offered (S6).
    const v = deps.view(ctx, binding);
    deps.forget(v, ctx.table);
    const made = await binding.source.login(verified.sub, verified.claims, { sid: v.sid, cookieHeader: v.cookie, nowMs: deps.clock() });
    if (!made.ok) {
      logger.error({ ...where, reason: made.reason }, `session bridge: the ${binding.backend.name} session for user ${verified.sub} could not be made; the login holds on the jwt side only`);
      return count('login-failed');
    }
    upstream.headers['set-cookie'] = withSessionSetCookie(upstream.headers['set-cookie'], made.setCookie, binding.config.cookie);
    count('login');
  }

  async function logOut(ctx: ForwardContext, upstream: UpstreamResponse, signal: string | string[], binding: SessionBinding): Promise<void> {
    if (signal !== '1') {
      logger.warn({ reqId: ctx.requestId, backend: ctx.backend.name }, 'session bridge: X-Auth-Logout must be exactly "1"; ignored');
      return;
    }
    const v = deps.view(ctx, binding);
    deps.forget(v, ctx.table);
    const name = binding.config.cookie;
    const cleared = v.sid
      ? (await binding.source.logout({ sid: v.sid, cookieHeader: v.cookie, nowMs: deps.clock() })).setCookie
      : [];
    upstream.headers['set-cookie'] = withSessionSetCookie(upstream.headers['set-cookie'], cleared.length ? cleared : [clearSessionCookie(deps.secure, name)], name);
    count('logout');
  }

  return {
    /** The onResponseHeaders hook's work for a jwt backend's answer. */
    onAnswer(ctx: ForwardContext, upstream: UpstreamResponse, binding: SessionBinding): void | Promise<void> {
      const { headers } = upstream;
      const issued = headers['x-auth-token'];
      const signal = headers['x-auth-logout'];
      if (issued === undefined && signal === undefined) return;
      delete headers['x-auth-token'];
      delete headers['x-auth-logout'];
      if (signal !== undefined) {
        if (issued !== undefined) logger.warn({ reqId: ctx.requestId }, 'session bridge: an answer with both X-Auth-Logout and X-Auth-Token is a logout; the token is ignored');
        return logOut(ctx, upstream, signal, binding);
      }
      return logIn(ctx, upstream, issued as string | string[], binding);
    },
  };
}
