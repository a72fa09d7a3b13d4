import { expandEnv } from './expand-env.js';
import type { Problem } from './problem.js';
import type { RoutesFile } from './schema.js';
import type { SessionConfig, SessionSourceKind } from './types.js';

export const SESSION_SOURCES: readonly SessionSourceKind[] = ['sqlite', 'redis', 'adapter'];

/** How long a session's answer is reused: SQLite is a local read, the others a network hop. */
const DEFAULT_REVALIDATE_MS: Record<SessionSourceKind, number> = { sqlite: 0, redis: 2000, adapter: 2000 };

type Backend = RoutesFile['backends'][string];
type RawSession = NonNullable<Backend['session']>;

/**
 * The `session` block of every `auth: session` backend, defaults applied and `${VAR}`
 * expanded, or the problems that stop it (each with its YAML path). A backend without a
 * block gets today's behaviour: connect.sid, SESSION_SECRET, the shared SQLite file's
 * `sessions` table, the user at `userId`, the role from the `users` table.
 */
export function checkSessions(backends: RoutesFile['backends'], env: NodeJS.ProcessEnv): { sessions: Map<string, SessionConfig>; errors: Problem[]; warnings: Problem[] } {
  const sessions = new Map<string, SessionConfig>();
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const [name, backend] of Object.entries(backends)) {
    const at = (...rest: string[]) => ['backends', name, ...rest];
    if (backend.auth === 'jwt') {
      if (backend.session) errors.push({ path: at('session'), message: 'a `jwt` backend is sent bearer tokens and has no session block: move it to the `auth: session` backend whose sessions it describes' });
      continue;
    }
    if (backend.audience !== undefined) errors.push({ path: at('audience'), message: 'only `auth: jwt` backends are sent tokens, so only they take an audience' });
    const built = buildSession(backend.session, env, at);
    errors.push(...built.errors);
    warnings.push(...built.warnings);
    if (built.config) sessions.set(name, built.config);
  }
  return { sessions, errors, warnings };
}

function buildSession(raw: RawSession | undefined, env: NodeJS.ProcessEnv, at: (...rest: string[]) => (string | number)[]) {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const expand = (value: string | undefined, ...path: string[]): string | undefined => {
    if (value === undefined) return undefined;
    const expanded = expandEnv(value, env);
    if (expanded.ok) return expanded.value;
    errors.push({ path: at('session', ...path), message: expanded.reason });
    return undefined;
  };
  if (!raw) {
    const config: SessionConfig = Object.freeze({
      cookie: 'connect.sid', source: 'sqlite', secrets: undefined,
      sqlite: Object.freeze({ path: undefined, table: 'sessions', layout: 'express-session', users: Object.freeze({ table: 'users', id: 'id' }) }),
      redis: undefined, adapter: undefined, user: 'userId', claims: Object.freeze({ role: 'role' }), revalidateMs: DEFAULT_REVALIDATE_MS.sqlite,
    } as const);
    return { config, errors, warnings };
  }
  const source = raw.source as SessionSourceKind;
  if (!SESSION_SOURCES.includes(source)) {
    errors.push({ path: at('session', 'source'), message: `unknown source "${raw.source}" (known: ${SESSION_SOURCES.join(', ')})` });
    return { config: undefined, errors, warnings };
  }
  if (source === 'redis' && !raw.redis) errors.push({ path: at('session', 'redis'), message: 'required with `source: redis` (e.g. redis: { url: redis://127.0.0.1:6379, prefix: "sess:" })' });
  if (source === 'adapter' && !raw.adapter) errors.push({ path: at('session', 'adapter'), message: 'required with `source: adapter` (e.g. adapter: { key: ${STRANGLER_ADAPTER_KEY} })' });
  for (const other of SESSION_SOURCES) {
    if (other !== source && raw[other] !== undefined) warnings.push({ path: at('session', other), message: `ignored: the source is ${source}` });
  }
  if (source === 'adapter' && raw.secrets !== undefined) warnings.push({ path: at('session', 'secrets'), message: 'ignored: with the adapter, the legacy app checks its own cookies' });
  const secretsText = expand(raw.secrets, 'secrets');
  const secrets = secretsText === undefined ? undefined : secretsText.split(',').map((s) => s.trim()).filter(Boolean);
  if (secrets !== undefined && secrets.length === 0) errors.push({ path: at('session', 'secrets'), message: 'lists no secret: write the legacy app\'s session secret(s), comma-separated, first one signing' });
  const redisUrl = expand(raw.redis?.url, 'redis', 'url');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) errors.push({ path: at('session', 'redis', 'url'), message: `"${redisUrl}" is not a Redis URL: write e.g. redis://127.0.0.1:6379` });
  const adapterKey = expand(raw.adapter?.key, 'adapter', 'key');
  if (adapterKey !== undefined && Buffer.byteLength(adapterKey) < 32) errors.push({ path: at('session', 'adapter', 'key'), message: 'is shorter than 32 bytes: generate one with `openssl rand -base64 48` and give the legacy app the same' });
  const sqlitePath = expand(raw.sqlite?.path, 'sqlite', 'path');
  for (const [claim, path] of Object.entries(raw.claims)) {
    if (['sub', 'aud', 'iss', 'exp', 'iat', 'nbf', 'jti', 'sid'].includes(claim)) errors.push({ path: at('session', 'claims', claim), message: `"${claim}" is set by the proxy itself; name the claim otherwise` });
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(path)) errors.push({ path: at('session', 'claims', claim), message: `"${path}" is not a dot path (e.g. role or user.role)` });
  }
  if (errors.length) return { config: undefined, errors, warnings };
  const config: SessionConfig = Object.freeze({
    cookie: raw.cookie,
    source,
    secrets: secrets ? Object.freeze(secrets) : undefined,
    sqlite: Object.freeze({
      path: sqlitePath,
      table: raw.sqlite?.table ?? 'sessions',
      layout: raw.sqlite?.layout ?? 'express-session',
      users: raw.sqlite?.users ? Object.freeze({ ...raw.sqlite.users }) : undefined,
    }),
    redis: raw.redis && redisUrl !== undefined ? Object.freeze({ url: redisUrl, prefix: raw.redis.prefix }) : undefined,
    adapter: raw.adapter && adapterKey !== undefined ? Object.freeze({ key: adapterKey, path: raw.adapter.path.replace(/\/+$/, '') }) : undefined,
    user: raw.user,
    claims: Object.freeze({ ...raw.claims }),
    revalidateMs: raw.revalidate_ms ?? DEFAULT_REVALIDATE_MS[source],
  });
  return { config, errors, warnings };
}
