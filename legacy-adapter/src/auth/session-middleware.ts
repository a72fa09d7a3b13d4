import session from 'express-session';
import type { RequestHandler } from 'express';
import { SESSION_COOKIE_NAME, sessionCookieOptions } from '../../../lib/legacy-session/session-cookie.js';
import type { SqliteSessionStore } from '../../../lib/legacy-session/session-store.js';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

/**
 * express-session configured as the team's app always had it. resave and
 * saveUninitialized are spelled out: left undefined they default to true, and two
 * parallel requests could then write a session back over a logout.
 */
export function sessionMiddleware(store: SqliteSessionStore, secrets: readonly string[], secure: boolean): RequestHandler {
  if (secrets.length === 0) throw new Error('SESSION_SECRET is empty: set at least one secret');
  return session({
    name: SESSION_COOKIE_NAME,
    secret: [...secrets],
    store,
    proxy: true,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: sessionCookieOptions(secure),
  });
}
