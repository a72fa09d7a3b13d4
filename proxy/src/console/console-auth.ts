import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { TLSSocket } from 'node:tls';
import type { AdminAlternative } from '../admin/bearer-auth.js';
import { clearedCookie, consoleCookieOf } from './console-cookie.js';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.js';
import { checkSameOrigin, ownOrigin } from './same-origin.js';

/** The header the page sends its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** Who console actions are recorded as in the routing history. */
export const CONSOLE_ACTOR = 'console:admin';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ConsoleAuthOptions {
  /** TLS is terminated in front of the proxy: the page's origin is https. */
  readonly behindTls: boolean;
  /** Cookies carry `Secure` (TLS in front, or production). */
  readonly secureCookies: boolean;
}

/** The request arrived over TLS, here or in front of the proxy. */
export function isHttps(req: Request, behindTls: boolean): boolean {
  return behindTls || (req.socket as TLSSocket).encrypted === true;
}

/** The console session a request's cookie names, if it is live. */
export function sessionOf(req: Request, sessions: ConsoleSessions): ConsoleSession | undefined {
  const id = consoleCookieOf(req.headers.cookie);
  return id === undefined ? undefined : sessions.find(id);
}

/**
 * The console's way into the admin endpoints (see requireBearer): a live session cookie.
 * Unsafe methods also need this origin (Origin / Sec-Fetch-Site) and the session's CSRF
 * token in `X-CSRF-Token`; either missing is a 403 that says which. A cookie whose session
 * is gone is cleared on the 401 that follows.
 */
export function consoleAuthenticator(sessions: ConsoleSessions, options: ConsoleAuthOptions): AdminAlternative {
  return (req, res) => {
    const id = consoleCookieOf(req.headers.cookie);
    if (id === undefined) return 'absent';
    const session = sessions.find(id);
    if (!session) {
      res.append('set-cookie', clearedCookie(options.secureCookies));
      return 'absent';
    }
    if (!SAFE.has(req.method)) {
      const refusal = csrfRefusal(req, session, options.behindTls);
      if (refusal) {
        res.status(403).json({ error: refusal });
        return 'refused';
      }
      // The history names the console, whatever the request said.
      req.headers['x-strangler-actor'] = CONSOLE_ACTOR;
    }
    return 'accepted';
  };
}

/** Why an unsafe console request is refused, or undefined when it passes. */
export function csrfRefusal(req: Request, session: ConsoleSession | undefined, behindTls: boolean): string | undefined {
  const origin = checkSameOrigin(req.headers, ownOrigin(req.headers.host, isHttps(req, behindTls)));
  if (!origin.ok) return origin.reason;
  if (!session) return undefined;
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || given === '') {
    return 'CSRF token missing: console actions send the X-CSRF-Token header the page got from GET /__proxy/ui/session; reload the console';
  }
  if (!sameString(given, session.csrfToken)) {
    return 'CSRF token wrong: it is not this sign-in\'s X-CSRF-Token (signed in again elsewhere?); reload the console';
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
