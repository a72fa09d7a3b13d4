import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  ADAPTER_ENDPOINTS, ADAPTER_KEY_HEADER, MAX_ADAPTER_BODY_BYTES, MAX_SUB_LENGTH,
  type AdapterSession, type AdapterSessionAnswer,
} from '../../../lib/adapter-protocol.js';
import { checkAdapterOptions, type CheckedOptions, type StranglerAdapterOptions } from './adapter-options.js';
import { createKeyCheck } from './adapter-key.js';
import { appReply, rawReply } from './raw-reply.js';
import { readJsonBody } from './read-json-body.js';
import { destroySession, regenerateSession, saveSession } from './session-calls.js';

/** A failure the adapter answers with its own status and message (never the app's error page). */
class AdapterError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

type Endpoint = (req: Request, res: Response) => Promise<void>;

/**
 * The legacy app's side of the session bridge: answers the proxy's questions about the app's
 * own sessions on `<path>/…` (docs/adapter-protocol.md), through the app's own session
 * machinery, so it works with any express-session store and any Set-Cookie it produces is
 * the app's. Mount it after the session (and Passport) middleware, at the app's root.
 * Every other request passes to `next()` after one string comparison.
 *
 * @example
 * app.use(session({ … }));
 * app.use(stranglerAdapter({
 *   key: process.env.STRANGLER_ADAPTER_KEY,
 *   identify: (req) => req.session.user ? { sub: String(req.session.user.id), claims: { role: req.session.user.role } } : undefined,
 *   login: async (req, sub) => { req.session.user = await users.byId(Number(sub)); },
 * }));
 */
export function stranglerAdapter(options: StranglerAdapterOptions): RequestHandler {
  const config = checkAdapterOptions(options);
  const prefix = config.path;
  const keyMatches = createKeyCheck(config.key);
  const endpoints = createEndpoints(config);
  const routes: Record<string, { method: string; run: Endpoint }> = {
    [ADAPTER_ENDPOINTS.session]: { method: 'GET', run: endpoints.session },
    [ADAPTER_ENDPOINTS.touch]: { method: 'POST', run: endpoints.touch },
    [ADAPTER_ENDPOINTS.login]: { method: 'POST', run: endpoints.login },
    [ADAPTER_ENDPOINTS.logout]: { method: 'POST', run: endpoints.logout },
  };

  return function stranglerAdapterMiddleware(req: Request, res: Response, next: NextFunction): void {
    // originalUrl: the path is absolute even if the app mounted the adapter under a prefix.
    const url = req.originalUrl || req.url;
    if (!url.startsWith(prefix)) return next();
    const end = url.length === prefix.length ? url.length : endOfPath(url, prefix.length);
    if (end < 0) return next(); // `/__stranglerfoo`: not ours
    const endpoint = url.slice(prefix.length, end);
    if (!keyMatches(req.headers[ADAPTER_KEY_HEADER])) {
      rawReply(res, 401, { error: `${prefix}: missing or wrong ${ADAPTER_KEY_HEADER}: only the proxy, configured with the same key as this app's stranglerAdapter, may call it` });
      return;
    }
    const route = routes[endpoint];
    if (!route) {
      rawReply(res, 404, { error: `${prefix}${endpoint}: no such adapter endpoint (known: ${Object.keys(routes).map((e) => prefix + e).join(', ')})` });
      return;
    }
    if (req.method !== route.method) {
      rawReply(res, 405, { error: `${prefix}${endpoint} answers ${route.method} only` }, { allow: route.method });
      return;
    }
    if (!req.session) {
      rawReply(res, 500, { error: 'stranglerAdapter: req.session is undefined: mount the adapter after the app\'s session middleware (app.use(session(…)), then app.use(stranglerAdapter(…)))' });
      return;
    }
    route.run(req, res).catch((err: unknown) => {
      const failure = err instanceof AdapterError ? err : new AdapterError(500, `${prefix}${endpoint}: ${err instanceof Error ? err.message : String(err)}`);
      rawReply(res, failure.status, { error: failure.message }, failure.headers);
    });
  };
}

/** Where the path ends (`?` or the end), or -1 when the prefix is only the start of a longer segment. */
function endOfPath(url: string, from: number): number {
  const next = url.charCodeAt(from);
  if (next === 0x3f /* ? */) return from;
  if (next !== 0x2f /* / */) return -1;
  const q = url.indexOf('?', from);
  return q < 0 ? url.length : q;
}

function createEndpoints(config: CheckedOptions): Record<'session' | 'touch' | 'login' | 'logout', Endpoint> {
  const prefix = config.path;

  async function identify(req: Request): Promise<{ sub: string; claims: Record<string, unknown> } | undefined> {
    let found: unknown;
    try {
      found = await config.identify(req);
    } catch (err) {
      throw new AdapterError(500, `stranglerAdapter: identify(req) threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (found === undefined || found === null) return undefined;
    const { sub, claims } = found as { sub?: unknown; claims?: unknown };
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) {
      throw new AdapterError(500, `stranglerAdapter: identify(req) returned sub ${JSON.stringify(sub)}: return the user id as a non-empty string, e.g. { sub: String(user.id) }, or undefined when nobody is logged in`);
    }
    if (claims !== undefined && (typeof claims !== 'object' || claims === null || Array.isArray(claims))) {
      throw new AdapterError(500, 'stranglerAdapter: identify(req) returned claims that are not an object: return e.g. { sub, claims: { role: user.role } }');
    }
    return { sub, claims: (claims ?? {}) as Record<string, unknown> };
  }

  function describe(req: Request, who: { sub: string; claims: Record<string, unknown> }): AdapterSession {
    const cookie = req.session.cookie;
    const expires = cookie.expires instanceof Date ? cookie.expires.getTime() : null;
    const maxAge = typeof cookie.originalMaxAge === 'number' ? cookie.originalMaxAge : null;
    return { sub: who.sub, claims: who.claims, expires_at: expires, original_max_age: maxAge };
  }

  /**
   * Answers a session through the app's wrapped `res`. express-session touches the session
   * once more in that `res.end` (expires = now + maxAge), and middleware that finishes
   * responses later (audit, compression) lets milliseconds pass before it runs. The expiry
   * answered must be the one the store keeps, so the rest of this request's touches keep it
   * (non-enumerable: no store's serializer sees it).
   */
  function answerSession(req: Request, res: Response, who: { sub: string; claims: Record<string, unknown> }): void {
    const pinned = req.session;
    Object.defineProperty(pinned, 'touch', { value: () => pinned, enumerable: false, configurable: true, writable: true });
    appReply(res, 200, describe(req, who));
  }

  const nobody: AdapterSessionAnswer = { sub: null };

  return {
    // A pure read: answered raw, so express-session neither touches, saves nor sets a cookie.
    async session(req, res) {
      const who = await identify(req);
      rawReply(res, 200, who ? describe(req, who) : nobody);
    },

    // express-session touches the session at the end of any request that reaches it
    // (cookie.expires = now + maxAge, then store.touch or a save): answering through the
    // app's wrapped `res` is the touch.
    async touch(req, res) {
      const who = await identify(req);
      if (!who) return rawReply(res, 200, nobody);
      req.session.touch();
      answerSession(req, res, who);
    },

    async login(req, res) {
      const body = await readJsonBody(req, MAX_ADAPTER_BODY_BYTES);
      if (!body.ok) throw new AdapterError(body.status, `${prefix}${ADAPTER_ENDPOINTS.login}: ${body.message}`);
      const { sub, claims = {} } = body.value;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) throw new AdapterError(400, `${prefix}${ADAPTER_ENDPOINTS.login}: "sub" must be a non-empty string (the user id)`);
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new AdapterError(400, `${prefix}${ADAPTER_ENDPOINTS.login}: "claims" must be an object`);
      if (!config.login) {
        throw new AdapterError(501, 'stranglerAdapter has no `login` option, so a login answered by a jwt backend cannot become a session of this app: pass login: async (req, sub, claims) => { /* put user `sub` in req.session as your own login does */ }');
      }
      // A new session id, never the one the client came with (session fixation, SECURITY S6).
      await regenerateSession(req);
      await config.login(req, sub, claims as Record<string, unknown>);
      if (!req.session) throw new AdapterError(500, 'stranglerAdapter: login(req, sub, claims) left no req.session: log the user in without destroying the session');
      const who = await identify(req);
      if (!who || who.sub !== sub) {
        await destroySession(req);
        throw new AdapterError(500, `stranglerAdapter: login(req, ${JSON.stringify(sub)}) ran, but identify(req) then found ${who ? `sub ${JSON.stringify(who.sub)}` : 'nobody'}: make login store the user where identify reads it`);
      }
      // express-session sends a `secure` cookie only over https: the login would "succeed"
      // with no cookie for the browser. Say so instead.
      if (req.session.cookie.secure === true && !req.secure) {
        await destroySession(req);
        throw new AdapterError(500, 'stranglerAdapter: the session cookie is `secure` but this request is not https, so express-session would send no cookie: behind the proxy, set app.set(\'trust proxy\', …) (or session({ proxy: true })) in the app and COOKIE_SECURE=true on the proxy');
      }
      // Saved before answering, so a store failure is a 500 rather than a cookie for nothing.
      await saveSession(req);
      answerSession(req, res, who);
    },

    async logout(req, res) {
      const body = await readJsonBody(req, MAX_ADAPTER_BODY_BYTES);
      if (!body.ok) throw new AdapterError(body.status, `${prefix}${ADAPTER_ENDPOINTS.logout}: ${body.message}`);
      const cookieName = body.value.cookie;
      if (cookieName !== undefined && (typeof cookieName !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(cookieName))) {
        throw new AdapterError(400, `${prefix}${ADAPTER_ENDPOINTS.logout}: "cookie" must be a cookie name such as connect.sid`);
      }
      const attributes = cookieAttributes(req);
      const who = await identify(req);
      if (who && config.logout) await config.logout(req);
      // Without a hook, or if the hook left the user in place, the session ends here: a
      // logout must never leave a live session behind.
      if (req.session && (!config.logout || !who || (await identify(req)))) await destroySession(req);
      if (cookieName && !setsCookie(res, cookieName)) res.clearCookie(cookieName, attributes);
      appReply(res, 200, nobody);
    },
  };
}

/** The session cookie's own attributes: a clearing cookie must match them or the browser keeps the old one. */
function cookieAttributes(req: Request): { path?: string; domain?: string; secure?: boolean; httpOnly?: boolean; sameSite?: boolean | 'lax' | 'strict' | 'none' } {
  const cookie = req.session?.cookie;
  if (!cookie) return { path: '/' };
  return { path: cookie.path ?? '/', domain: cookie.domain, secure: cookie.secure === true, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite };
}

function setsCookie(res: Response, name: string): boolean {
  const current = res.getHeader('set-cookie');
  const list = Array.isArray(current) ? current : current === undefined ? [] : [String(current)];
  return list.some((line) => line.startsWith(`${name}=`));
}
