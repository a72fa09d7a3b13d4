import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import session, { MemoryStore } from 'express-session';
import { createClient } from 'redis';
import { stranglerAdapter } from '../../legacy-adapter/src/strangler-adapter/index.js';
import type { LoadTarget } from './measure.js';
import type { RunningProcess } from './processes.js';
import { startBenchRedis } from './redis-server.js';
import type { BenchSection } from './bench-section.js';
import type { BenchStack } from './stack.js';

/** GET /users on new, the session read from `source` (a YAML session block, or none: the repo's sqlite default). */
const usersOnNew = (sessionBlock: string) => `version: 1
backends:
  legacy:
    url: "\${SESSION_BACKEND_URL}"
    auth: session
${sessionBlock}  new: { url: "\${NEW_BACKEND_URL}", auth: jwt }
tokens: { alg: HS256 }   # see BenchStack.startNewBackend
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: new
`;

/**
 * The baseline both sections share: the bridge reading the legacy app's own SQLite sessions
 * (the repo's default: table sessions, the users table joined), as the bridge section's
 * candidate does. Each section starts its own, so each ratio comes from one run.
 */
async function sqliteBridged(stack: BenchStack, name: string, newBackendUrl: string): Promise<RunningProcess> {
  return stack.startProxy(`${name}-sqlite`, usersOnNew(''), { NEW_BACKEND_URL: newBackendUrl, SESSION_BACKEND_URL: stack.legacyUrl });
}

/** A bench of 401s would measure nothing: the bridged request must really be served by new as the admin. */
async function servedByNew(proxy: RunningProcess, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${proxy.url}/users`, { headers });
  if (res.status !== 200 || res.headers.get('x-backend') !== 'new') {
    throw new Error(`${proxy.name}: GET /users through the proxy answered ${res.status} from ${res.headers.get('x-backend')}, not 200 from new; see ${proxy.log}`);
  }
}

/** proxy_bridge_events_total by event, from the proxy's metrics. */
async function bridgeEvents(proxy: RunningProcess, adminToken: string): Promise<Record<string, number>> {
  const res = await fetch(`${proxy.url}/__proxy/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`GET /__proxy/metrics answered ${res.status}; see ${proxy.log}`);
  const events: Record<string, number> = {};
  const text = await res.text();
  for (const m of text.matchAll(/^proxy_bridge_events_total\{event="([^"]+)"\} (\S+)$/gm)) events[m[1] as string] = Number(m[2]);
  return events;
}

/**
 * Checks after each run that every request was bridged (none fell to no-session or a store
 * error, which would be cheaper and measure nothing) and says how many answers the source
 * gave versus the bridge's cache.
 */
function bridgedCheck(proxy: RunningProcess, adminToken: string): () => Promise<string> {
  let before: Record<string, number> = {};
  return async () => {
    const now = await bridgeEvents(proxy, adminToken);
    const previous = before;
    before = now;
    const delta = (event: string) => (now[event] ?? 0) - (previous[event] ?? 0);
    const bridged = delta('bridged');
    const failed = delta('no-session') + delta('store-error') + delta('bad-cookie');
    if (bridged === 0 || failed > 0) throw new Error(`${proxy.name}: ${bridged} requests bridged, ${failed} without a session or with a store error; see ${proxy.log}`);
    return `${proxy.name}: ${bridged} requests bridged, ${delta('cached')} answered from the bridge's cache`;
  };
}

const watchOf = (next: RunningProcess, proxy: RunningProcess, extra: ReadonlyArray<{ name: string; cpuSeconds(): number }> = []) =>
  [{ name: 'new', cpuSeconds: () => next.cpuSeconds() }, { name: 'proxy', cpuSeconds: () => proxy.cpuSeconds() }, ...extra];

/**
 * The admin's session copied from the legacy app's SQLite file into Redis in connect-redis's
 * format (`sess:<sid>`, express-session's JSON, a TTL to its expiry), with the role in the
 * session as an app without a users table keeps it. The same cookie then finds the same
 * session in either store, so both proxies bridge the same request.
 */
async function copyAdminSessionToRedis(stack: BenchStack, redisUrl: string): Promise<void> {
  const signed = decodeURIComponent(stack.adminCookie.slice(stack.adminCookie.indexOf('=') + 1));
  const sid = signed.slice(2, signed.lastIndexOf('.'));
  const db = new Database(join(stack.dir, 'app.db'), { readonly: true, fileMustExist: true });
  let row: { sess: string; expires_at: number } | undefined;
  try {
    row = db.prepare('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(sid) as typeof row;
  } finally {
    db.close();
  }
  if (!row) throw new Error('the admin session is not in the legacy app\'s sessions table');
  const client = createClient({ url: redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.set(`sess:${sid}`, JSON.stringify({ ...(JSON.parse(row.sess) as object), role: 'admin' }), { EX: Math.ceil((row.expires_at - Date.now()) / 1000) });
  } finally {
    client.destroy();
  }
}

export const redisSourceSection: BenchSection = {
  name: 'bridge-redis',
  title: 'bridged, redis source vs sqlite source: GET /users as admin on the new backend through the proxy with the session cookie, the session read from the legacy app\'s SQLite file, then from Redis in connect-redis\'s format (answers cached for revalidate_ms, 2 s by default)',
  targets: { minThroughputRatio: 0.9, maxAddedP50Ms: Number.POSITIVE_INFINITY },
  async prepare(stack) {
    const next = await stack.startNewBackend();
    const redis = await startBenchRedis('redis');
    await copyAdminSessionToRedis(stack, redis.redisUrl);
    const sqlite = await sqliteBridged(stack, 'bridge-redis', next.url);
    const viaRedis = await stack.startProxy('bridge-redis-redis', usersOnNew(`    session:
      source: redis
      redis: { url: "\${BENCH_REDIS_URL}", prefix: "sess:" }
      claims: { role: role }
`), { NEW_BACKEND_URL: next.url, SESSION_BACKEND_URL: stack.legacyUrl, BENCH_REDIS_URL: redis.redisUrl });
    const headers = { cookie: stack.adminCookie, accept: 'application/json' };
    await servedByNew(sqlite, headers);
    await servedByNew(viaRedis, headers);
    return {
      baseline: { label: 'sqlite source', url: `${sqlite.url}/users`, headers, watch: watchOf(next, sqlite), verify: bridgedCheck(sqlite, stack.proxyAdminToken) } satisfies LoadTarget,
      candidate: { label: 'redis source', url: `${viaRedis.url}/users`, headers, watch: watchOf(next, viaRedis, [redis]), verify: bridgedCheck(viaRedis, stack.proxyAdminToken) } satisfies LoadTarget,
    };
  },
};

declare module 'express-session' {
  interface SessionData { benchUser?: { id: number; role: string } }
}

/**
 * A legacy app unlike the reference one: express-session's MemoryStore, its own cookie, the
 * user object in the session, and stranglerAdapter mounted after session(). It runs in the
 * bench's process: with the answers cached, the proxy asks it once per revalidate_ms, and
 * the bench process itself is idle while wrk loads.
 */
async function startMemoryStoreApp(key: string, adminId: number): Promise<{ url: string; cookie: string }> {
  const app = express();
  app.use(session({ name: 'notes.sid', secret: randomBytes(32).toString('base64url'), store: new MemoryStore(), resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }));
  app.use(stranglerAdapter({ key, identify: (req) => (req.session.benchUser ? { sub: String(req.session.benchUser.id), claims: { role: req.session.benchUser.role } } : undefined) }));
  app.post('/login', (req, res) => {
    req.session.benchUser = { id: adminId, role: 'admin' };
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${url}/login`, { method: 'POST' });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('notes.sid='))?.split(';')[0];
  if (!cookie) throw new Error('the MemoryStore app set no notes.sid cookie');
  return { url, cookie };
}

export const adapterSourceSection: BenchSection = {
  name: 'adapter-source',
  title: 'adapter source (cache hit): GET /users as admin on the new backend through the proxy, the session read from the legacy app\'s SQLite file vs asked of a MemoryStore app\'s stranglerAdapter (answers cached for revalidate_ms, 2 s by default)',
  targets: { minThroughputRatio: 0.9, maxAddedP50Ms: Number.POSITIVE_INFINITY },
  async prepare(stack) {
    const next = await stack.startNewBackend();
    const me = await fetch(`${stack.legacyUrl}/auth/me`, { headers: { cookie: stack.adminCookie } });
    const { id } = (await me.json()) as { id: number };
    const key = randomBytes(36).toString('base64url');
    const notes = await startMemoryStoreApp(key, id);
    const sqlite = await sqliteBridged(stack, 'adapter-source', next.url);
    const viaAdapter = await stack.startProxy('adapter-source-adapter', usersOnNew(`    session:
      cookie: notes.sid
      source: adapter
      adapter: { key: "\${STRANGLER_ADAPTER_KEY}" }
`), { NEW_BACKEND_URL: next.url, SESSION_BACKEND_URL: notes.url, STRANGLER_ADAPTER_KEY: key });
    const sqliteHeaders = { cookie: stack.adminCookie, accept: 'application/json' };
    const adapterHeaders = { cookie: notes.cookie, accept: 'application/json' };
    await servedByNew(sqlite, sqliteHeaders);
    await servedByNew(viaAdapter, adapterHeaders);
    return {
      baseline: { label: 'sqlite source', url: `${sqlite.url}/users`, headers: sqliteHeaders, watch: watchOf(next, sqlite), verify: bridgedCheck(sqlite, stack.proxyAdminToken) },
      candidate: { label: 'adapter source', url: `${viaAdapter.url}/users`, headers: adapterHeaders, watch: watchOf(next, viaAdapter), verify: bridgedCheck(viaAdapter, stack.proxyAdminToken) },
    };
  },
};

export const SESSION_SOURCE_SECTIONS: readonly BenchSection[] = [redisSourceSection, adapterSourceSection];
