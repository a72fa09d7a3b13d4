// The shop example as a team would run it: its Passport + connect-redis app and its new API as
// real processes, a private redis-server, and `strangler proxy` in front with the example's
// own routes.yaml. Everything goes through the proxy, as a browser's requests would.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sign } from 'cookie-signature';
import { createClient } from 'redis';
import { parse } from 'yaml';
import { ApiClient, flipUnderLoad, freePorts, runProcess, runTsx, startRedisServer, tempDir, waitFor, type RunningRedis, type WatchedProcess } from '../../test/kit/index.js';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const NEW_SECRET = 'shop-session-secret-2026-rotated-in';
const OLD_SECRET = 'shop-session-secret-2024-retiring';
const ADMIN_TOKEN = 'passport-redis-example-admin-token-0123456789';
const ADA = { username: 'ada', password: 'lovelace-1843' };
const GRACE = { username: 'grace', password: 'hopper-1952' };
const ADA_PROFILE = { id: 1, username: 'ada', role: 'admin', team: 'ops' };
const GRACE_PROFILE = { id: 2, username: 'grace', role: 'member', team: 'compilers' };

type Route = 'auth' | 'account' | 'orders';
type Backend = 'legacy' | 'api';

describe('examples/passport-redis behind strangler proxy', () => {
  const dir = tempDir('passport-redis-');
  let redis: RunningRedis;
  let legacy: WatchedProcess;
  let api: WatchedProcess;
  let proxy: WatchedProcess;
  let proxyUrl: string;
  let ordersOf: Record<string, unknown>;
  /** How long the proxy reuses a session's answer (DESIGN §10's default for redis: 2000 ms). */
  let revalidateMs: number;

  before(async () => {
    redis = await startRedisServer();
    const [legacyPort, apiPort, proxyPort] = await freePorts(3);
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    // A copy: flipping a route rewrites the file.
    const routesFile = dir.file('routes.yaml');
    copyFileSync(here('routes.yaml'), routesFile);
    const config = parse(readFileSync(routesFile, 'utf8')) as { backends: { legacy: { session: { revalidate_ms?: number } }; api: { audience: string } } };
    const audience = config.backends.api.audience;
    revalidateMs = config.backends.legacy.session.revalidate_ms ?? 2000;

    legacy = runTsx(here('legacy-app.js'), { env: { ...process.env, PORT: String(legacyPort), REDIS_URL: redis.url, SESSION_SECRETS: `${NEW_SECRET},${OLD_SECRET}` } });
    api = runTsx(here('api-server.js'), { env: { ...process.env, PORT: String(apiPort), STRANGLER_URL: proxyUrl, TOKEN_AUDIENCE: audience } });
    proxy = runProcess(process.execPath, [here('../../scripts/strangler.js'), 'proxy', '--routes', routesFile], {
      cwd: dir.path, // development secrets and data files land in the temp folder
      env: {
        ...process.env,
        LOG_LEVEL: 'info', LOG_FORMAT: 'json',
        PROXY_PORT: String(proxyPort), PROXY_ADMIN_TOKEN: ADMIN_TOKEN,
        DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db'),
        SHOP_LEGACY_URL: `http://127.0.0.1:${legacyPort}`, SHOP_API_URL: `http://127.0.0.1:${apiPort}`,
        SHOP_SESSION_SECRETS: `${NEW_SECRET},${OLD_SECRET}`, REDIS_URL: redis.url,
      },
    });
    await Promise.all([legacy.waitFor(/listening on/), api.waitFor(/listening on/), proxy.waitFor(/listening on/)]);
    const orders = new ApiClient(proxyUrl);
    await login(orders, ADA);
    ordersOf = { ada: (await orders.get('/orders')).body };
  });

  after(async () => {
    for (const p of [proxy, api, legacy]) p?.child.kill('SIGTERM');
    await Promise.all([proxy, api, legacy].map((p) => p?.exited(10_000).catch(() => p.kill())));
    await redis?.stop();
    dir.cleanup();
  });

  async function route(name: Route, target: Backend): Promise<void> {
    const res = await fetch(`${proxyUrl}/__proxy/routes/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target }),
    });
    assert.equal(res.status, 200, `PUT routes/${name}: ${await res.text()}`);
  }

  async function login(client: ApiClient, who: { username: string; password: string }) {
    const res = await client.post('/login', who);
    assert.equal(res.status, 200, `login ${who.username}: ${res.text}`);
    assert.equal(res.headers.get('x-backend'), 'legacy');
    return res;
  }

  /** A request with exactly this Cookie header (a stolen, old or hand-made cookie). */
  const withCookie = (path: string, cookie: string) => fetch(`${proxyUrl}${path}`, { headers: { cookie } });
  const sessionCookie = (sid: string, secret: string) => `app.sid=${encodeURIComponent(`s:${sign(sid, secret)}`)}`;
  async function sidOf(client: ApiClient): Promise<string> {
    const value = decodeURIComponent((await client.cookie('app.sid'))!);
    return value.slice(2, value.lastIndexOf('.'));
  }

  it('logs in on legacy through the proxy, and routes flipped to the API see the same user and claims', async () => {
    const ada = new ApiClient(proxyUrl);
    const grace = new ApiClient(proxyUrl);
    assert.deepEqual((await login(ada, ADA)).body, ADA_PROFILE);
    // A form post, as the app's own login page sends it.
    const form = await grace.request('POST', '/login', { body: new URLSearchParams(GRACE) });
    assert.equal(form.status, 200, form.text);
    const onLegacy = { ada: await ada.get('/me'), grace: await grace.get('/me'), orders: await ada.get('/orders') };
    assert.deepEqual(onLegacy.ada.body, ADA_PROFILE);
    assert.equal(onLegacy.ada.headers.get('x-backend'), 'legacy');

    await route('account', 'api');
    await route('orders', 'api');
    try {
      const me = await ada.get('/me');
      assert.equal(me.headers.get('x-backend'), 'api');
      assert.deepEqual(me.body, ADA_PROFILE, 'the id from passport.user, role and team from the session as claims');
      assert.deepEqual((await grace.get('/me')).body, GRACE_PROFILE);
      const orders = await ada.get('/orders');
      assert.equal(orders.headers.get('x-backend'), 'api');
      assert.deepEqual(orders.body, onLegacy.orders.body);
      assert.equal((await new ApiClient(proxyUrl).get('/orders')).status, 401, 'no cookie, no token');
    } finally {
      await route('account', 'legacy');
      await route('orders', 'legacy');
    }
  });

  it('keeps a session alive from requests to the API, as the touch of connect-redis would', async () => {
    const ada = new ApiClient(proxyUrl);
    await login(ada, ADA);
    const key = `shop:sess:${await sidOf(ada)}`;
    const redisClient = createClient({ url: redis.url });
    await redisClient.connect();
    try {
      // As if the user had been away: 100 s left of a day-long session.
      await redisClient.expire(key, 100);
      const value = await redisClient.get(key);
      await route('orders', 'api');
      try {
        assert.equal((await ada.get('/orders')).status, 200);
      } finally {
        await route('orders', 'legacy');
      }
      const ttl = await redisClient.ttl(key);
      assert.ok(ttl > 86_000 && ttl <= 86_400, `the TTL is a full day again (${ttl} s)`);
      assert.equal(await redisClient.get(key), value, 'the session JSON is left as it was');
    } finally {
      redisClient.destroy();
    }
  });

  it('rolls back and forth under a steady request loop: zero failed requests, nobody logged out', async () => {
    const users = [{ client: new ApiClient(proxyUrl), who: ADA }, { client: new ApiClient(proxyUrl), who: GRACE }];
    for (const u of users) await login(u.client, u.who);
    const { failures, served } = await flipUnderLoad(users.map((u) => ({ client: u.client, label: u.who.username })), '/orders', (flip) => route('orders', flip % 2 === 0 ? 'api' : 'legacy'));
    assert.deepEqual(failures, []);
    assert.ok((served.legacy ?? 0) > 5 && (served.api ?? 0) > 5, `both backends served the loop (${JSON.stringify(served)})`);
    await route('account', 'api');
    try {
      for (const u of users) assert.equal((await u.client.get('/me')).status, 200, `${u.who.username} is still logged in on the API`);
    } finally {
      await route('account', 'legacy');
    }
    for (const u of users) assert.equal((await u.client.get('/me')).status, 200, `${u.who.username} is still logged in on legacy`);
  });

  it('bridges a cookie signed with the older secret, and no cookie signed with an unknown one', async () => {
    const ada = new ApiClient(proxyUrl);
    await login(ada, ADA);
    const sid = await sidOf(ada);
    const signedOld = sessionCookie(sid, OLD_SECRET);
    await route('orders', 'api');
    try {
      const bridged = await withCookie('/orders', signedOld);
      assert.equal(bridged.status, 200);
      assert.equal(bridged.headers.get('x-backend'), 'api');
      assert.deepEqual(await bridged.json(), ordersOf.ada);
      assert.equal((await withCookie('/me', signedOld)).status, 200, 'the legacy app accepts it too');

      const forged = sessionCookie(sid, 'a-secret-neither-side-has-0123456789');
      assert.equal((await withCookie('/orders', forged)).status, 401);
      assert.equal((await withCookie('/orders', `app.sid=s%3A${sid}.not-a-signature`)).status, 401);
      assert.equal((await withCookie('/orders', 'app.sid=%%%garbage')).status, 401);
    } finally {
      await route('orders', 'legacy');
    }
  });

  for (const logoutOn of ['legacy', 'api'] as const) {
    it(`a logout answered by ${logoutOn} through the proxy is a 401 on both sides at once`, async () => {
      const ada = new ApiClient(proxyUrl);
      await login(ada, ADA);
      const cookie = sessionCookie(await sidOf(ada), NEW_SECRET);
      await route('orders', 'api');
      await route('auth', logoutOn);
      try {
        assert.equal((await withCookie('/orders', cookie)).status, 200);
        assert.equal((await withCookie('/me', cookie)).status, 200);
        const out = await ada.post('/logout');
        assert.equal(out.status, 200);
        assert.equal(out.headers.get('x-backend'), logoutOn);
        // The very next requests, with the cookie the browser held (or a copy of it).
        const [legacySide, apiSide] = await Promise.all([withCookie('/me', cookie), withCookie('/orders', cookie)]);
        assert.equal(legacySide.status, 401, 'legacy: the session is gone');
        assert.equal(apiSide.status, 401, 'api: no token for a gone session');
        assert.equal((await ada.get('/orders')).status, 401, 'the browser, with whatever cookie the logout left it');
        assert.equal((await ada.get('/me')).status, 401);
      } finally {
        await route('auth', 'legacy');
        await route('orders', 'legacy');
      }
    });
  }

  it('with Redis down, requests to the API get 401 (no token), never a 500, and bridging resumes when it is back', async () => {
    const ada = new ApiClient(proxyUrl);
    await login(ada, ADA);
    await route('orders', 'api');
    try {
      assert.equal((await ada.get('/orders')).status, 200);
      await redis.kill();
      // An answer read just before the outage may be reused for revalidate_ms; past it, no token.
      const graceUntil = Date.now() + revalidateMs + 300;
      const during: number[] = [];
      while (Date.now() < graceUntil) during.push((await ada.get('/orders')).status);
      assert.deepEqual(during.filter((s) => s !== 200 && s !== 401), [], 'never anything but 200 or 401');
      const statuses: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 20; i++) statuses.push((await ada.get('/orders')).status);
      assert.deepEqual([...new Set(statuses)], [401], `every request answered 401: ${statuses.join(' ')}`);
      assert.ok(Date.now() - started < 5000, `20 requests took ${Date.now() - started} ms`);
      assert.equal((await fetch(`${proxyUrl}/__proxy/health`)).status, 200, 'the proxy is still up');
      await new Promise((r) => setTimeout(r, 500)); // the proxy writes its log in batches
      assert.equal(proxy.output().match(/redis session store at \S+ cannot be read/g)?.length, 1, 'one log line for the outage');
      const metrics = await (await fetch(`${proxyUrl}/__proxy/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      const storeErrors = Number(/^proxy_bridge_events_total\{event="store-error"\} (\d+)/m.exec(metrics)?.[1]);
      assert.ok(storeErrors >= statuses.length, `the metric counts each request that met the outage (${storeErrors})`);

      await redis.restart(); // memory only: every session is gone, as after a real Redis loss
      // The legacy app's own Redis client reconnects on its schedule; then a new login bridges.
      const relogged = await waitFor(async () => {
        const answer = await ada.post('/login', ADA);
        if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${answer.text}`);
        return answer;
      }, 'a login once Redis is back');
      assert.equal(relogged.status, 200);
      const orders = await waitFor(async () => {
        const answer = await ada.get('/orders');
        if (answer.status !== 200) throw new Error(`GET /orders answered ${answer.status}: ${answer.text}`);
        return answer;
      }, 'the orders after a fresh login');
      assert.equal(orders.status, 200);
      assert.equal(orders.headers.get('x-backend'), 'api');
      assert.deepEqual(orders.body, ordersOf.ada);
    } finally {
      await route('orders', 'legacy');
    }
  });
});
