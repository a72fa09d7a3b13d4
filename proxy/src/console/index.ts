import type { RequestHandler, Router } from 'express';
import type { AdminAlternative } from '../admin/bearer-auth.js';
import { adminTokenCheck } from '../admin/bearer-auth.js';
import { loopbackAdminGet, type LocalAddress } from './admin-reader.js';
import { consoleAuthenticator } from './console-auth.js';
import { createConsoleFeed, type ConsoleFeed } from './console-feed.js';
import { createConsoleRouter } from './console-router.js';
import { createConsoleSessions, type ConsoleSessionsOptions } from './console-sessions.js';
import { loadPageAssets } from './page-assets.js';
import { createSignInThrottle } from './sign-in-throttle.js';

export { CONSOLE_COOKIE } from './console-cookie.js';
export { CSRF_HEADER, CONSOLE_ACTOR } from './console-auth.js';
export { FEED_PARTS } from './console-feed.js';

export interface ConsoleOptions {
  /** PROXY_ADMIN_TOKEN: what signing in takes, and what the console reads the admin API with. */
  readonly token: string;
  /** TLS is terminated in front of the proxy (COOKIE_SECURE=true). */
  readonly behindTls?: boolean;
  /** Session cookies carry `Secure` even over plain http (production). Https requests always get it. */
  readonly secureCookies?: boolean;
  readonly sessions?: ConsoleSessionsOptions;
  /** How often open consoles get fresh figures (ms). Default 1000. */
  readonly feedIntervalMs?: number;
}

export interface OpsConsole {
  /** The page, its files, sign-in and sign-out: mount before the admin token check. */
  readonly open: Router;
  /** The console's cookie as a way past the admin token check (requireBearer's alternative). */
  readonly authenticate: AdminAlternative;
  /** `GET /ui/events`, the live stream: mount behind the check. */
  readonly events: RequestHandler;
  readonly feed: ConsoleFeed;
  close(): void;
}

/**
 * The ops console at `/__proxy/ui`: one page that shows every route, its figures, rollouts,
 * diffs and history, live, and steers them through the admin API. Signing in takes the
 * admin token once; the browser then holds only an HttpOnly, SameSite=Strict session cookie
 * scoped to `/__proxy/`.
 */
export function createOpsConsole(options: ConsoleOptions): OpsConsole {
  const behindTls = options.behindTls ?? false;
  const secureCookies = (options.secureCookies ?? false) || behindTls;
  const sessions = createConsoleSessions(options.sessions);
  let address: LocalAddress | undefined;
  const reader = loopbackAdminGet(options.token, () => address);
  const feed = createConsoleFeed({ get: reader.get, intervalMs: options.feedIntervalMs });
  sessions.onEnd((session) => feed.endSession(session));
  const routes = createConsoleRouter({
    sessions, feed, assets: loadPageAssets(), isAdminToken: adminTokenCheck(options.token), throttle: createSignInThrottle(), behindTls, secureCookies,
  });
  const authenticate = consoleAuthenticator(sessions, { behindTls, secureCookies });
  return {
    open: routes.open,
    authenticate: (req, res) => {
      const verdict = authenticate(req, res);
      // An action from the console shows on every open console at once, not at the next tick.
      if (verdict === 'accepted' && req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', () => feed.poke());
      return verdict;
    },
    events: (req, res, next) => {
      // The proxy reads its own admin API where this browser reached it.
      const { localAddress, localPort } = req.socket;
      if (localAddress && localPort) address = { host: localAddress, port: localPort };
      else {
        // A unix socket has no port: read through the same socket.
        const listening = (req.socket as { server?: { address(): unknown } }).server?.address();
        if (typeof listening === 'string') address = { socketPath: listening };
      }
      routes.events(req, res, next);
    },
    feed,
    close() {
      feed.close();
      reader.close();
    },
  };
}
