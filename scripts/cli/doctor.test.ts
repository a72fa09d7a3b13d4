import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RedisStore } from 'connect-redis';
import { sign } from 'cookie-signature';
import express from 'express';
import session, { MemoryStore } from 'express-session';
import { createClient } from 'redis';
import { stranglerAdapter } from '../../legacy-adapter/src/strangler-adapter/index.js';
import { freePorts, runTsx, startLegacy, startRedisServer, startServer, tempDir, type RunningLegacy, type RunningRedis, type RunningServer, type WatchedProcess } from '../../test/kit/index.js';
import { run } from './doctor.js';
import { captureIo, closedPortUrl, writeRoutes } from '../../test/kit/cli-fixture.js';

const STRANGLER = fileURLToPath(new URL('../strangler.ts', import.meta.url));
const ADAPTER_KEY = 'doctor-test-adapter-key-0123456789abcdef';
const SHOP_SECRETS = ['shop-secret-new-0123456789abcdef0123', 'shop-secret-old-0123456789abcdef0123'];
const SHOP_PREFIX = 'shop:sess:';

declare module 'express-session' {
  interface SessionData { note?: { id: number; role: string } }
}

/** A Passport-shaped app on connect-redis: its own cookie, two secrets, the user at passport.user. */
function redisApp(client: ReturnType<typeof createClient>, secret: string) {
  const app = express();
  app.use(session({ name: 'shop.sid', store: new RedisStore({ client, prefix: SHOP_PREFIX }), secret, resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }));
  app.post('/login', (req, res) => {
    Object.assign(req.session, { passport: { user: 7 }, role: 'editor' });
    res.json({ ok: true });
  });
  return app;
}

/** A MemoryStore app with the adapter mounted after session(), the user object in req.session.note. */
function adapterApp(key: string) {
  const app = express();
  app.use(session({ name: 'notes.sid', secret: 'notes-secret-0123456789abcdef0123456789', store: new MemoryStore(), resave: false, saveUninitialized: false }));
  app.use(stranglerAdapter({ key, identify: (req) => (req.session.note ? { sub: String(req.session.note.id), claims: { role: req.session.note.role } } : undefined) }));
  app.post('/login', (req, res) => {
    req.session.note = { id: 42, role: 'writer' };
    res.json({ ok: true });
  });
  app.get('/', (_req, res) => void res.send('notes'));
  return app;
}

const cookieOf = (res: Response, name: string) => {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  assert.ok(set, `no ${name} cookie set`);
  return set.split(';')[0]!;
};

describe('strangler doctor', () => {
  const dir = tempDir('strangler-doctor-');
  let legacy: RunningLegacy;
  let adminCookie: string;
  let jwtBackend: RunningServer;
  let down: string;
  let redis: RunningRedis;
  let redisClient: ReturnType<typeof createClient>;
  let shop: RunningServer;
  let shopCookie: string;
  let notes: RunningServer;
  let notesCookie: string;
  let proxy: WatchedProcess | undefined;
  let proxyUrl: string;

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ SESSION_SECRET: legacy.sessionSecrets.join(','), PROXY_URL: proxyUrl, ...extra });
  async function doctor(routes: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
    const io = captureIo(dir.path, env(extraEnv));
    const code = await run(['--file', writeRoutes(dir.file(`routes-${Math.random().toString(36).slice(2)}.yaml`), routes), '--timeout', '5000', ...args], io);
    return { code, text: io.text() };
  }
  const sqliteRoutes = (extra = '', newUrl = jwtBackend.url) => `version: 1
backends:
  legacy:
    url: ${legacy.url}
    auth: session
    session: { sqlite: { path: ${legacy.dbPath}, users: { table: users } }${extra} }
  new: { url: ${newUrl}, auth: jwt }
default: legacy
routes: []
`;

  before(async () => {
    legacy = await startLegacy();
    const login = await fetch(`${legacy.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: legacy.admin.username, password: legacy.admin.password }) });
    assert.equal(login.status, 200);
    adminCookie = cookieOf(login, 'connect.sid');
    jwtBackend = await startServer((_req, res) => void res.writeHead(404).end());
    down = await closedPortUrl();

    redis = await startRedisServer();
    redisClient = createClient({ url: redis.url });
    await redisClient.connect();
    // Signed with the older secret: the doctor, like the bridge, tries every one.
    shop = await startServer(redisApp(redisClient, SHOP_SECRETS[1]!));
    shopCookie = cookieOf(await fetch(`${shop.url}/login`, { method: 'POST' }), 'shop.sid');

    notes = await startServer(adapterApp(ADAPTER_KEY));
    notesCookie = cookieOf(await fetch(`${notes.url}/login`, { method: 'POST' }), 'notes.sid');

    // The real proxy, as `strangler proxy` runs it, for its JWKS (it makes a development key in data/).
    const [port] = await freePorts(1);
    proxyUrl = `http://127.0.0.1:${port}`;
    writeRoutes(dir.file('proxy-routes.yaml'), sqliteRoutes());
    proxy = runTsx(STRANGLER, { args: ['proxy', '--routes', 'proxy-routes.yaml', '--port', String(port)], cwd: dir.path, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', SESSION_SECRET: legacy.sessionSecrets.join(','), DATABASE_PATH: legacy.dbPath } });
    await proxy.waitFor(/listening on/, 60_000);
  });
  after(async () => {
    proxy?.kill();
    await Promise.all([legacy?.close(), jwtBackend?.close(), shop?.close(), notes?.close()]);
    redisClient?.destroy();
    await redis?.stop();
    dir.cleanup();
  });

  it('--help prints the usage and exits 0', async () => {
    const io = captureIo(dir.path);
    assert.equal(await run(['--help'], io), 0);
    assert.match(io.text(), /^strangler doctor \[--file routes\.yaml\] \[--cookie VALUE\]/);
  });

  it('passes a healthy sqlite setup and resolves a logged-in cookie to its user and claims', async () => {
    const { code, text } = await doctor(sqliteRoutes(), ['--cookie', adminCookie]);
    assert.equal(code, 0, text);
    assert.match(text, /✔ answers\s+HTTP 404/);
    assert.match(text, /✔ sqlite store\s+.*table "sessions" \(express-session layout\), 1 live session; users joined from "users" on id, claims role <- role/);
    assert.match(text, /✔ cookie\s+user \(sub\) "1", claims \{"role":"admin"\}; a token would carry aud strangler:new \(new\), exp in 300 s \(EdDSA\)/);
    assert.match(text, new RegExp(`✔ jwks\\s+${proxyUrl}/__proxy/jwks\\.json: 1 key \\(\\S+ EdDSA\\)`));
    assert.match(text, /✔ all 6 checks passed/);
  });

  it('takes the bare cookie value as well as a Cookie header', async () => {
    const value = adminCookie.slice('connect.sid='.length);
    const { code, text } = await doctor(sqliteRoutes(), ['--cookie', value]);
    assert.equal(code, 0, text);
    assert.match(text, /user \(sub\) "1"/);
  });

  it('refuses a forged cookie: its signature checks out under no secret, and says which secret to set', async () => {
    const sid = /connect\.sid=s%3A([^.]+)\./.exec(adminCookie)![1]!;
    const forged = `connect.sid=${encodeURIComponent(`s:${sign(sid, 'not-the-legacy-secret-0123456789abcdef')}`)}`;
    const { code, text } = await doctor(sqliteRoutes(), ['--cookie', forged]);
    assert.equal(code, 1);
    assert.match(text, /✖ cookie\s+connect\.sid's signature checks out under none of the 1 secret \(from SESSION_SECRET\)/);
    assert.match(text, /fix: set SESSION_SECRET \(or backends\.legacy\.session\.secrets\) to the legacy app's secret/);
    assert.match(text, /✖ 1 of 6 checks failed/);
  });

  it('says a well-signed cookie has no session behind it, and an unsigned one is not signed', async () => {
    const ghost = `connect.sid=${encodeURIComponent(`s:${sign('no-such-session-id', legacy.sessionSecrets[0]!)}`)}`;
    const gone = await doctor(sqliteRoutes(), ['--cookie', ghost]);
    assert.equal(gone.code, 1);
    assert.match(gone.text, /✖ cookie\s+the signature is good, but the sqlite store holds no live session with a user for it/);
    const unsigned = await doctor(sqliteRoutes(), ['--cookie', 'connect.sid=plain-id']);
    assert.match(unsigned.text, /✖ cookie\s+connect\.sid is not signed/);
    const otherName = await doctor(sqliteRoutes(), ['--cookie', 'app.sid=s%3Aabc.def']);
    assert.match(otherName.text, /✖ cookie\s+no connect\.sid cookie in the value given/);
  });

  it('names a backend that is down, with the fix, and exits 1', async () => {
    const { code, text } = await doctor(sqliteRoutes('', down));
    assert.equal(code, 1);
    assert.match(text, /✖ answers\s+does not answer: connection refused/);
    assert.match(text, /fix: start the new backend, or correct backends\.new\.url in routes\.yaml/);
  });

  it('finds the wrong sqlite layout, a missing table and a missing secret', async () => {
    const layout = await doctor(sqliteRoutes().replace('sqlite: { path', 'sqlite: { layout: connect-sqlite3, path'));
    assert.equal(layout.code, 1);
    assert.match(layout.text, /✖ sqlite store\s+table "sessions" has columns sid, sess, expires_at; the connect-sqlite3 layout needs sid, expired, sess \(missing expired\)/);
    assert.match(layout.text, /fix: set backends\.legacy\.session\.sqlite\.layout: express-session/);
    const table = await doctor(sqliteRoutes().replace('sqlite: { path', 'sqlite: { table: app_sessions, path'), ['--cookie', adminCookie]);
    assert.match(table.text, /✖ sqlite store\s+.* has no table "app_sessions"/);
    assert.match(table.text, /✖ cookie\s+not resolved: the session store \(or its secrets\) failed its check above/);
    const noSecret = await doctor(sqliteRoutes(), [], { SESSION_SECRET: '' });
    assert.match(noSecret.text, /✖ secrets\s+no session secret to verify cookies with/);
    assert.match(noSecret.text, /fix: set SESSION_SECRET \(or backends\.legacy\.session\.secrets\) to the legacy app's session secret/);
  });

  const redisRoutes = (url: string) => `version: 1
backends:
  shop:
    url: ${shop.url}
    auth: session
    session:
      cookie: shop.sid
      source: redis
      secrets: "${SHOP_SECRETS.join(',')}"
      redis: { url: "${url}", prefix: "${SHOP_PREFIX}" }
      user: passport.user
      claims: { role: role }
  new: { url: ${jwtBackend.url}, auth: jwt, audience: shop-api }
tokens: { alg: HS256 }
default: shop
routes: []
`;

  it('reads a connect-redis store: PING, keys with the prefix, and a cookie signed with the older secret', async () => {
    const { code, text } = await doctor(redisRoutes(redis.url), ['--cookie', shopCookie]);
    assert.equal(code, 0, text);
    assert.match(text, /✔ redis store\s+redis:\/\/127\.0\.0\.1:\d+: 1 sampled key with prefix "shop:sess:": 1 hold JSON, 1 a user at passport\.user/);
    assert.match(text, /✔ secrets\s+2 session secrets from backends\.shop\.session\.secrets/);
    assert.match(text, /✔ cookie\s+user \(sub\) "7", claims \{"role":"editor"\}; a token would carry aud shop-api \(new\), exp in 300 s \(HS256\)/);
    assert.match(text, /✔ jwks\s+tokens\.alg is HS256: no keys are published by design/);
  });

  it('says a Redis that is not there does not answer, and a prefix with no keys is a warning', async () => {
    const gone = await doctor(redisRoutes(down.replace('http:', 'redis:')));
    assert.equal(gone.code, 1);
    assert.match(gone.text, /✖ redis store\s+redis:\/\/127\.0\.0\.1:\d+ does not answer: ECONNREFUSED/);
    assert.match(gone.text, /fix: start Redis, or set backends\.shop\.session\.redis\.url/);
    const empty = await doctor(redisRoutes(redis.url).replace(`prefix: "${SHOP_PREFIX}"`, 'prefix: "sess:"'));
    assert.equal(empty.code, 0, empty.text);
    assert.match(empty.text, /! redis store\s+.*no key starts with "sess:" yet/);
    assert.match(empty.text, /fix: log in on the legacy app and run doctor again/);
  });

  const adapterRoutes = (key: string, path = '') => `version: 1
backends:
  notes:
    url: ${notes.url}
    auth: session
    session:
      cookie: notes.sid
      source: adapter
      adapter: { key: "${key}"${path ? `, path: ${path}` : ''} }
  api: { url: ${jwtBackend.url}, auth: jwt }
tokens: { alg: HS256 }
default: notes
routes: []
`;

  it('asks the adapter with the key (200) and without (401), and resolves a cookie through it', async () => {
    const { code, text } = await doctor(adapterRoutes(ADAPTER_KEY), ['--cookie', notesCookie]);
    assert.equal(code, 0, text);
    assert.match(text, /✔ adapter\s+\/__strangler\/session answers 200 with the key and 401 without: mounted, same key/);
    assert.match(text, /✔ cookie\s+user \(sub\) "42", claims \{"role":"writer"\}; a token would carry aud strangler:api \(api\)/);
  });

  it('names a wrong adapter key and an adapter that is not mounted at the path', async () => {
    const wrong = await doctor(adapterRoutes('another-key-0123456789abcdef0123456789ab'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.text, /✖ adapter\s+GET \/__strangler\/session refused the key \(401\)/);
    assert.match(wrong.text, /fix: give the app's stranglerAdapter the same key as backends\.notes\.session\.adapter\.key/);
    const elsewhere = await doctor(adapterRoutes(ADAPTER_KEY, '/__adapter'));
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.text, /✖ adapter\s+nothing answers GET \/__adapter\/session \(404\)/);
    assert.match(elsewhere.text, /fix: mount stranglerAdapter\(\{ key, identify, path: '\/__adapter' \}\) at the app's root, after session\(\)/);
  });

  it('says when the proxy is not running to serve the JWKS', async () => {
    const { code, text } = await doctor(sqliteRoutes(), [], { PROXY_URL: down });
    assert.equal(code, 1);
    assert.match(text, /✖ jwks\s+http:\/\/127\.0\.0\.1:\d+\/__proxy\/jwks\.json: connection refused/);
    assert.match(text, /fix: start the proxy \(npx strangler proxy\), or set PROXY_URL/);
  });

  it('refuses an invalid routes file with its problems', async () => {
    const { code, text } = await doctor(sqliteRoutes().replace('auth: jwt', 'auth: jwtt'));
    assert.equal(code, 1);
    assert.match(text, /✖ .*the proxy would refuse this file/);
  });
});
