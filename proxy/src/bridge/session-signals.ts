import type { Logger } from '../../../lib/logger.js';
import { AUDIENCE } from '../../../lib/tokens.js';
import { clearSessionCookie, newSessionData, serializeSessionCookie } from '../../../lib/legacy-session/session-cookie.js';
import type { UpstreamResponse } from '../extension.js';
import type { ForwardContext } from '../forward-context.js';
import type { BridgeEvent } from './bridge-metrics.js';
import type { BridgeSessions } from './bridge-sessions.js';
import { withSessionSetCookie } from './cookie-header.js';
import type { RequestView } from './request-view.js';
import type { TokenMinter } from './session-bridge.js';

export interface SessionSignalsDeps {
  readonly sessions: BridgeSessions;
  readonly tokens: Pick<TokenMinter, 'verify'>;
  readonly secrets: readonly string[];
  readonly secure: boolean;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly count: (event: BridgeEvent) => void;
  /** The request as the client sent it. */
  readonly view: (ctx: ForwardContext) => RequestView;
  /** Ends the request's own session: destroyed in the store, its cached token forgotten. */
  readonly endSession: (view: RequestView) => void;
}

/**
 * A jwt backend's answer to the proxy (DESIGN §6): `X-Auth-Token` becomes a new legacy
 * session and its cookie, `X-Auth-Logout: 1` a destroyed session and a cleared cookie. Both
 * headers are removed before the client sees the answer, acted on or not.
 */
export function createSessionSignals(deps: SessionSignalsDeps) {
  const { sessions, tokens, secrets, secure, logger, count } = deps;

  async function logIn(ctx: ForwardContext, upstream: UpstreamResponse, issued: string | string[]): Promise<void> {
    const where = { reqId: ctx.requestId, backend: ctx.backend.name, path: ctx.path };
    if (upstream.statusCode < 200 || upstream.statusCode > 299 || typeof issued !== 'string') {
      logger.warn({ ...where, status: upstream.statusCode }, `session bridge: X-Auth-Token on a ${upstream.statusCode} answer (or sent twice) ignored; a backend sends it with a successful login only`);
      return count('refused-token');
    }
    const verified = await tokens.verify(issued.trim(), AUDIENCE.newBackend);
    if (!verified.ok) {
      logger.warn({ ...where, reason: verified.reason }, `session bridge: X-Auth-Token from backend "${ctx.backend.name}" refused (${verified.reason}); no session created. Check that the backend and the proxy share JWT_SECRET`);
      return count('refused-token');
    }
    // express-session's regenerate(): the session the browser came with ends, and the new
    // one gets an id the store makes up, never one the client offered (S6).
    deps.endSession(deps.view(ctx));
    const data = newSessionData(Number(verified.claims.sub), deps.clock(), secure);
    const sid = sessions.create(data);
    upstream.headers['set-cookie'] = withSessionSetCookie(upstream.headers['set-cookie'], serializeSessionCookie(sid, data, secrets));
    count('login');
  }

  function logOut(ctx: ForwardContext, upstream: UpstreamResponse, signal: string | string[]): void {
    if (signal !== '1') {
      logger.warn({ reqId: ctx.requestId, backend: ctx.backend.name }, 'session bridge: X-Auth-Logout must be exactly "1"; ignored');
      return;
    }
    deps.endSession(deps.view(ctx));
    upstream.headers['set-cookie'] = withSessionSetCookie(upstream.headers['set-cookie'], clearSessionCookie(secure));
    count('logout');
  }

  return {
    /** The onResponseHeaders hook's work for a jwt backend's answer. */
    onAnswer(ctx: ForwardContext, upstream: UpstreamResponse): void | Promise<void> {
      const { headers } = upstream;
      const issued = headers['x-auth-token'];
      const signal = headers['x-auth-logout'];
      if (issued === undefined && signal === undefined) return;
      delete headers['x-auth-token'];
      delete headers['x-auth-logout'];
      if (signal !== undefined) {
        if (issued !== undefined) logger.warn({ reqId: ctx.requestId }, 'session bridge: an answer with both X-Auth-Logout and X-Auth-Token is a logout; the token is ignored');
        return logOut(ctx, upstream, signal);
      }
      return logIn(ctx, upstream, issued as string | string[]);
    },
  };
}
