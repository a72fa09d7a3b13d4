import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { clientAddress } from '../client-address.js';
import type { ConsoleFeed } from './console-feed.js';
import { clearedCookie, CONSOLE_COOKIE, consoleCookieOf, sessionCookie } from './console-cookie.js';
import { csrfRefusal, isHttps, sessionOf } from './console-auth.js';
import type { ConsoleSessions } from './console-sessions.js';
import type { PageAsset } from './page-assets.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export interface ConsoleRouterDeps {
  readonly sessions: ConsoleSessions;
  readonly feed: ConsoleFeed;
  readonly assets: ReadonlyMap<string, PageAsset>;
  readonly isAdminToken: (given: string) => boolean;
  readonly throttle: SignInThrottle;
  readonly behindTls: boolean;
  readonly secureCookies: boolean;
}

/** The page may load only its own files and talk only to its own origin; no framing (clickjacking). */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The console's open part, mounted before the admin token check: the page and its files
 * (they hold no figure), and signing in and out. `events()` is mounted behind the check.
 */
export function createConsoleRouter(deps: ConsoleRouterDeps): { open: Router; events: RequestHandler } {
  const { sessions } = deps;
  const open = Router();
  const page = deps.assets.get('index.html') as PageAsset;

  const sendAsset = (res: Response, asset: PageAsset) => res.status(200).set(PAGE_HEADERS).type(asset.type).send(asset.body);
  open.get(['/ui', '/ui/'], (_req, res) => sendAsset(res, page));
  open.get('/ui/assets/:file', (req, res) => {
    const asset = deps.assets.get(String(req.params.file));
    if (!asset || req.params.file === 'index.html') {
      res.status(404).json({ error: `Not found: ${req.path} is not one of the console's files` });
      return;
    }
    sendAsset(res, asset);
  });

  open.post('/ui/session', express.json({ limit: '4kb' }), express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    res.set('cache-control', 'no-store');
    const refusal = csrfRefusal(req, undefined, deps.behindTls);
    if (refusal) {
      res.status(403).json({ error: refusal });
      return;
    }
    const address = clientAddress(req) ?? 'unknown';
    const wait = deps.throttle.blockedFor(address);
    if (wait > 0) {
      res.status(429).set('retry-after', String(Math.ceil(wait / 1000))).json({ error: `Too many wrong admin tokens from this address: try again in ${Math.ceil(wait / 1000)} s` });
      return;
    }
    if (secure(req) && !isHttps(req, deps.behindTls) && !isLoopbackHost(req.headers.host)) {
      // The browser would drop a Secure cookie set over plain http, and the sign-in would seem to do nothing.
      res.status(400).json({ error: `Sign-in refused over plain http: the console's cookie is Secure here (production), so reach the proxy over https (TLS in front of it, with COOKIE_SECURE=true) or from localhost` });
      return;
    }
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') {
      res.status(400).json({ error: 'Send the admin token in the form field "token" (PROXY_ADMIN_TOKEN)' });
      return;
    }
    if (!deps.isAdminToken(token)) {
      deps.throttle.failed(address);
      res.status(401).json({ error: 'Wrong admin token: enter the proxy\'s PROXY_ADMIN_TOKEN' });
      return;
    }
    const previous = consoleCookieOf(req.headers.cookie);
    if (previous) sessions.end(previous);
    const { id, session } = sessions.create();
    res.append('set-cookie', sessionCookie(id, sessions.lifetimeMs, secure(req)));
    // A form sent without the page's script lands back on the page.
    if (req.is('application/x-www-form-urlencoded')) {
      res.redirect(303, '/__proxy/ui');
      return;
    }
    res.json({ signedIn: true, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  open.get('/ui/session', (req, res) => {
    res.set('cache-control', 'no-store');
    const session = sessionOf(req, sessions);
    if (!session) {
      notSignedIn(req, res);
      return;
    }
    res.json({ signedIn: true, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  open.delete('/ui/session', (req, res) => {
    res.set('cache-control', 'no-store');
    const id = consoleCookieOf(req.headers.cookie);
    const session = id === undefined ? undefined : sessions.find(id);
    if (!session || id === undefined) {
      notSignedIn(req, res);
      return;
    }
    const refusal = csrfRefusal(req, session, deps.behindTls);
    if (refusal) {
      res.status(403).json({ error: refusal });
      return;
    }
    sessions.end(id);
    res.append('set-cookie', clearedCookie(secure(req))).json({ signedOut: true });
  });

  const events: RequestHandler = (req, res) => {
    deps.feed.subscribe(res, sessionOf(req, sessions));
  };

  function secure(req: Request): boolean {
    return deps.secureCookies || isHttps(req, deps.behindTls);
  }

  function notSignedIn(req: Request, res: Response): void {
    if (req.headers.cookie?.includes(`${CONSOLE_COOKIE}=`)) res.append('set-cookie', clearedCookie(secure(req)));
    res.status(401).json({ error: 'Not signed in to the console: sign in at /__proxy/ui with PROXY_ADMIN_TOKEN' });
  }

  return { open, events };
}

/** Browsers keep Secure cookies set over plain http only for these names. */
function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '[::1]';
}
