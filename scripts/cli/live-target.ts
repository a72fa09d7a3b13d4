import type { RouteTable } from '../../proxy/src/config/index.js';
import type { DiffOptions } from '../../proxy/src/shadow/index.js';
import { loginOn, logoutOn, type Live, type LiveAuth, type LiveBackend } from './live-compare.js';

/** The variables that point the CLI at the two backends, as for every other process. */
const ENV_URL: Readonly<Record<string, { envVar: string; fallback: string; auth: 'session' | 'jwt' }>> = {
  legacy: { envVar: 'LEGACY_URL', fallback: 'http://127.0.0.1:5601', auth: 'session' },
  new: { envVar: 'NEW_BACKEND_URL', fallback: 'http://127.0.0.1:5602', auth: 'jwt' },
};

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Where to send a request for backend `name`: a URL given as is; else LEGACY_URL /
 * NEW_BACKEND_URL; else the backend of that name in routes.yaml; else the default port.
 */
export function resolveLiveBackend(name: string, env: NodeJS.ProcessEnv, table: RouteTable | undefined, routesFile: string): Resolved<LiveBackend> {
  if (/^https?:\/\//i.test(name)) {
    try {
      const url = new URL(name);
      return { ok: true, value: { name: url.host, url, source: 'the command line', envVar: undefined, auth: undefined } };
    } catch {
      return { ok: false, reason: `"${name}" is not a URL` };
    }
  }
  const known = ENV_URL[name];
  const configured = table?.backends.get(name);
  if (known && env[known.envVar]) {
    try {
      return { ok: true, value: { name, url: new URL(env[known.envVar] as string), source: known.envVar, envVar: known.envVar, auth: configured?.auth ?? known.auth } };
    } catch {
      return { ok: false, reason: `${known.envVar}=${env[known.envVar]} is not a URL` };
    }
  }
  if (configured) return { ok: true, value: { name, url: configured.url, source: `${routesFile} backends.${name}`, envVar: known?.envVar, auth: configured.auth } };
  if (known) return { ok: true, value: { name, url: new URL(known.fallback), source: `the default (${known.envVar} unset)`, envVar: known.envVar, auth: known.auth } };
  const names = [...new Set([...Object.keys(ENV_URL), ...(table ? table.backends.keys() : [])])];
  return { ok: false, reason: `unknown backend "${name}" (known: ${names.join(', ')}); or give a URL` };
}

/** The shadow options of the route that would serve this request, if it has any. */
export function routeShadowOptions(table: RouteTable | undefined, method: string, path: string): { route: string; options: DiffOptions } | undefined {
  const route = table?.match(method, path.split('?')[0] ?? path).route;
  if (!route?.shadow) return undefined;
  return { route: route.name, options: { ignore: route.shadow.ignore, unordered: route.shadow.unordered, headers: route.shadow.headers } };
}

/** The password for `--as USER`: --password, STRANGLER_PASSWORD, or the seeded admin's. */
export function passwordFor(user: string, flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  if (env.STRANGLER_PASSWORD) return env.STRANGLER_PASSWORD;
  if (user === (env.ADMIN_USERNAME || 'admin')) return env.ADMIN_PASSWORD || (env.NODE_ENV === 'production' ? undefined : 'admin');
  return undefined;
}

/** `--cookie` takes a bare connect.sid value or `name=value`. */
export function authFromFlags(cookie: string | undefined, token: string | undefined): LiveAuth {
  return {
    ...(cookie ? { cookie: cookie.includes('=') ? cookie : `connect.sid=${cookie}` } : {}),
    ...(token ? { bearer: token.replace(/^Bearer\s+/i, '') } : {}),
  };
}

export interface Credentials {
  readonly as?: string | undefined;
  readonly password?: string | undefined;
  readonly cookie?: string | undefined;
  readonly token?: string | undefined;
}

/**
 * Runs `work` with each backend's auth: with `as`, logged in on every backend first and
 * logged out after (whatever `work` did); otherwise the cookie and token as given.
 */
export async function withLogin<T>(credentials: Credentials, env: NodeJS.ProcessEnv, backends: readonly LiveBackend[], work: (auth: LiveAuth[]) => Promise<Live<T>>): Promise<Live<T>> {
  const user = credentials.as;
  if (!user) return work(backends.map(() => authFromFlags(credentials.cookie, credentials.token)));
  const password = passwordFor(user, credentials.password, env);
  if (password === undefined) return { ok: false, reason: `no password for ${user}: pass --password or set STRANGLER_PASSWORD` };
  const logins = await Promise.all(backends.map((b) => loginOn(b, user, password)));
  const auths = logins.map((l) => (l.ok ? l.value : {}));
  try {
    const failed = logins.find((l) => !l.ok);
    if (failed && !failed.ok) return failed;
    return await work(auths);
  } finally {
    await Promise.all(backends.map((b, i) => (logins[i]?.ok ? logoutOn(b, auths[i] as LiveAuth) : undefined)));
  }
}
