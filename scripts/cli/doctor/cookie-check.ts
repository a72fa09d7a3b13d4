import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import { tokenExpiry } from '../../../proxy/src/bridge/bridge-policy.js';
import { readRequestView } from '../../../proxy/src/bridge/request-view.js';
import { openSessionSources } from '../../../proxy/src/bridge/session-sources.js';
import type { RouteTable } from '../../../proxy/src/config/index.js';
import { fail, pass, type Check } from './check.js';

export interface CookieCheckOptions {
  readonly databasePath: string;
  readonly sessionSecrets: readonly string[];
  readonly secretsFrom: string;
  readonly secureCookies: boolean;
}

/** The way a person pastes a cookie: the bare value, or a whole Cookie header (`a=1; app.sid=s%3A…`). */
export function cookieHeaderOf(value: string, name: string): string {
  const trimmed = value.trim().replace(/^cookie:\s*/i, '');
  return trimmed.includes('=') && !/^s:/.test(trimmed) ? trimmed : `${name}=${trimmed}`;
}

/**
 * Resolves a session cookie exactly as the bridge does: the same sources (openSessionSources),
 * the same cookie reading (readRequestView: every secret, timing-safe), the same answer.
 * Prints the user and the claims a bridged token would carry, or why there is none.
 */
export async function checkCookie(table: RouteTable, value: string, options: CookieCheckOptions): Promise<Check> {
  const what = 'cookie';
  const logs: string[] = [];
  // The sources log why a store could not be read; those lines are the explanation to print.
  const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(line) });
  const sources = openSessionSources({ databasePath: options.databasePath, sessionSecrets: options.sessionSecrets, secureCookies: options.secureCookies, logger });
  try {
    let binding;
    try {
      binding = sources.forTable(table);
    } catch (err) {
      return fail(what, `the session source cannot be opened: ${(err as Error).message}`, 'fix the session settings named above');
    }
    if (!binding) return fail(what, 'routes.yaml has no `auth: session` backend: there is no session to resolve', 'declare the legacy app as `auth: session`');
    const name = binding.config.cookie;
    const at = `backends.${binding.backend.name}.session`;
    const header = cookieHeaderOf(value, name);
    const view = readRequestView({ headers: { cookie: header } } as IncomingMessage, binding);
    if (!view.sid) {
      switch (view.cookieState) {
        case 'absent':
          return fail(what, `no ${name} cookie in the value given`, `the session cookie is ${name} (${at}.cookie): pass its value, or the whole Cookie header; if the app names it otherwise, set ${at}.cookie`);
        case 'unsigned':
          return fail(what, `${name} is not signed (express-session's values start with s:)`, 'pass the value as the browser holds it (s%3A… or s:…), not the bare session id');
        default:
          return binding.source.verifiesCookies
            ? fail(what, `${name}'s signature checks out under none of the ${binding.secrets.length} secret${binding.secrets.length === 1 ? '' : 's'} (from ${binding.config.secrets ? `${at}.secrets` : options.secretsFrom})`,
              `set SESSION_SECRET (or ${at}.secrets) to the legacy app's secret, every one it still accepts, comma-separated, the signing one first`)
            : fail(what, 'the Cookie header does not parse', 'pass the cookie as the browser sends it');
      }
    }
    const nowMs = Date.now();
    const found = await binding.source.find({ sid: view.sid, cookieHeader: header, cachedJti: undefined, nowMs });
    if (!found.ok && found.reason === 'store-error') {
      const why = logs.map((l) => { try { const j = JSON.parse(l) as { msg?: string; err?: string; reason?: string }; return [j.msg, j.err ?? j.reason].filter(Boolean).join(': '); } catch { return l; } });
      return fail(what, `the ${binding.source.kind} store could not be read${why.length ? ` (${why.join('; ')})` : ''}`, 'fix the store check above; the proxy forwards such requests with no token');
    }
    if (!found.ok) {
      return fail(what, binding.source.verifiesCookies
        ? `the signature is good, but the ${binding.source.kind} store holds no live session with a user for it`
        : 'the app answers that no user is logged in with this cookie',
      binding.source.verifiesCookies
        ? `log in again (it may have expired or been logged out); if the app is logged in with it, check ${at}.${binding.source.kind === 'redis' ? 'redis.prefix' : 'sqlite (path, table, layout, users)'} and ${at}.user (now ${binding.config.user})`
        : 'log in again (expired, logged out, or signed with a secret the app no longer has); if the app is logged in with it, check identify() finds the user in req.session');
    }
    const { session } = found;
    const jwt = [...table.backends.values()].filter((b) => b.auth === 'jwt');
    const exp = tokenExpiry(nowMs, session.expiresAt, table.tokens.ttlSec) - Math.floor(nowMs / 1000);
    const auds = jwt.map((b) => `${b.audience ?? `strangler:${b.name}`} (${b.name})`).join(', ') || 'none: no jwt backend';
    const claims = Object.keys(session.claims).length ? JSON.stringify(session.claims) : '{} (no claims mapped or none found)';
    return pass(what, `user (sub) "${session.sub}", claims ${claims}; a token would carry aud ${auds}, exp in ${exp} s (${table.tokens.alg}), ${Number.isFinite(session.expiresAt) ? `session expires ${new Date(session.expiresAt).toISOString()}` : 'a browser-session cookie (no expiry)'}`);
  } finally {
    await sources.close();
  }
}
