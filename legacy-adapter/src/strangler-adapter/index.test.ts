import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import session, { MemoryStore, type SessionOptions } from 'express-session';
import { ApiClient, expressSessionMaxAge, startServer, type RunningServer } from '../../../test/kit/index.js';
import { ADAPTER_KEY_HEADER } from '../../../lib/adapter-protocol.js';
import { readSessionId } from '../../../lib/legacy-session/session-cookie.js';
import { stranglerAdapter, type StranglerAdapterOptions } from './index.js';

const KEY = 'adapter-test-key-0123456789abcdef0123456789';
const COOKIE = 'shop.sid';
const SHOP_SECRET = 'shop-secret-0123456789abcdef0123456789';

interface ShopUser { id: number; role: 'admin' | 'user'; name: string }
declare module 'express-session' {
  interface SessionData { user?: ShopUser; cart?: string[] }
}

const USERS = new Map<number, ShopUser>([[7, { id: 7, role: 'admin', name: 'Ada' }], [8, { id: 8, role: 'user', name: 'Bo' }]]);

const identify: StranglerAdapterOptions['identify'] = (req) => req.session.user
  ? { sub: String(req.session.user.id), claims: { role: req.session.user.role, name: req.session.user.name } }
  : undefined;

/**
 * A shop app shaped unlike the reference one: MemoryStore, its own cookie name, the user
 * object in req.session.user, a JSON parser mounted before the adapter on some paths.
 * `middleware` goes between the session and the adapter.
 */
function shopApp(store: MemoryStore, adapter: Partial<StranglerAdapterOptions> = {}, sessionOptions: Partial<SessionOptions> = {}, middleware: express.RequestHandler[] = []) {
  const app = express();
  app.use(session({ name: COOKIE, secret: SHOP_SECRET, store, resave: false, saveUninitialized: false, cookie: { maxAge: 60_000, sameSite: 'lax' }, ...sessionOptions }));
  for (const handler of middleware) app.use(handler);
  app.use(stranglerAdapter({ key: KEY, identify, ...adapter }));
  app.post('/login/:id', (req, res) => {
    req.session.regenerate(() => {
      req.session.user = USERS.get(Number(req.params.id));
      res.json(req.session.user);
    });
  });
  app.get('/me', (req, res) => {
    if (!req.session.user) return void res.status(401).json({ error: 'Not authenticated' });
    res.json(req.session.user);
  });
  app.post('/cart', (req, res) => {
    req.session.cart = ['book'];
    res.json({ ok: true });
  });
  app.get('/__stranglerish', (_req, res) => void res.json({ app: 'saw __stranglerish' }));
  app.get('/other', (_req, res) => void res.json({ app: 'saw other' }));
  return app;
}

const login: NonNullable<StranglerAdapterOptions['login']> = (req, sub, claims) => {
  const user = USERS.get(Number(sub));
  if (!user) throw new Error(`no user ${sub}`);
  req.session.user = { ...user, ...(typeof claims.name === 'string' ? { name: claims.name } : {}) };
};

function sessionCount(store: MemoryStore): Promise<number> {
  return new Promise((resolve, reject) => store.length((err, n) => (err ? reject(err as Error) : resolve(n ?? 0))));
}

function storedSessions(store: MemoryStore): Promise<Record<string, session.SessionData>> {
  return new Promise((resolve, reject) => store.all((err, all) => (err ? reject(err as Error) : resolve((all ?? {}) as Record<string, session.SessionData>))));
}

const keyed = { [ADAPTER_KEY_HEADER]: KEY };

describe('stranglerAdapter options', () => {
  it('refuses a missing key, naming the variable and the proxy setting', () => {
    assert.throws(() => stranglerAdapter({ key: undefined, identify }), /`key` is missing: set STRANGLER_ADAPTER_KEY .*session\.adapter\.key/);
  });

  it('refuses a key shorter than 32 bytes, with the command that makes one', () => {
    assert.throws(() => stranglerAdapter({ key: 'short', identify }), /`key` is 5 bytes, fewer than 32: generate one with `openssl rand -base64 48`/);
  });

  it('refuses an identify that is not a function, and a bad path', () => {
    assert.throws(() => stranglerAdapter({ key: KEY, identify: 'user' as never }), /`identify` must be a function/);
    assert.throws(() => stranglerAdapter({ key: KEY, identify, path: '/' }), /cannot be "\/"/);
    assert.throws(() => stranglerAdapter({ key: KEY, identify, path: 'x y' }), /`path` must be a path/);
    assert.throws(() => stranglerAdapter({ key: KEY, identify, login: 'yes' as never }), /`login` must be a function/);
  });
});

describe('stranglerAdapter in an express-session app (MemoryStore)', () => {
  let store: MemoryStore;
  let app: RunningServer;

  before(async () => {
    store = new MemoryStore();
    app = await startServer(shopApp(store, { login }));
  });
  after(() => app.close());

  async function loggedIn(id: number): Promise<ApiClient> {
    const client = new ApiClient(app.url);
    assert.equal((await client.post(`/login/${id}`)).status, 200);
    return client;
  }

  it('answers who a session is, with the claims identify maps and the cookie expiry', async () => {
    const client = await loggedIn(7);
    const before = Date.now();
    const answer = await client.get('/__strangler/session', { headers: keyed });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.sub, '7');
    assert.deepEqual(answer.body.claims, { role: 'admin', name: 'Ada' });
    expressSessionMaxAge(answer.body.original_max_age, 60_000, 'original_max_age');
    assert.ok(answer.body.expires_at > before && answer.body.expires_at <= Date.now() + 60_000);
    assert.deepEqual(answer.setCookies, [], 'a read sets no cookie');
  });

  it('refuses a call without the key, or with a wrong key of any length, with 401', async () => {
    const client = await loggedIn(7);
    for (const headers of [{} as Record<string, string>, { [ADAPTER_KEY_HEADER]: 'x' }, { [ADAPTER_KEY_HEADER]: `${KEY.slice(0, -1)}X` }, { [ADAPTER_KEY_HEADER]: `${KEY}${KEY}` }]) {
      const answer = await client.get('/__strangler/session', { headers });
      assert.equal(answer.status, 401);
      assert.match(answer.body.error, /missing or wrong x-strangler-adapter-key/);
      assert.equal(answer.body.sub, undefined, 'nothing about the session leaks');
    }
    const login = await new ApiClient(app.url).post('/__strangler/login', { sub: '7' }, { headers: { [ADAPTER_KEY_HEADER]: 'nope' } });
    assert.equal(login.status, 401);
  });

  it('creates no session for a bare GET, even when the app saves uninitialized sessions', async () => {
    const eager = new MemoryStore();
    const eagerApp = await startServer(shopApp(eager, {}, { saveUninitialized: true, rolling: true }));
    try {
      const client = new ApiClient(eagerApp.url);
      const answer = await client.get('/__strangler/session', { headers: keyed });
      assert.deepEqual(answer.body, { sub: null });
      assert.deepEqual(answer.setCookies, []);
      const refused = await client.get('/__strangler/session');
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.setCookies, []);
      assert.equal(await sessionCount(eager), 0);
      // The same app does create one for its own routes: the check above can fail.
      const own = await client.get('/other');
      assert.equal(own.setCookies.length, 1);
      assert.equal(await sessionCount(eager), 1);
    } finally {
      await eagerApp.close();
    }
  });

  it('answers a session without a user as nobody, leaving it as it was', async () => {
    const client = new ApiClient(app.url);
    await client.post('/cart');
    const sid = await client.cookie(COOKIE);
    assert.ok(sid);
    const answer = await client.get('/__strangler/session', { headers: keyed });
    assert.deepEqual(answer.body, { sub: null });
    assert.deepEqual(answer.setCookies, []);
    const stored = Object.values(await storedSessions(store)).find((s) => Array.isArray(s.cart));
    assert.deepEqual(stored?.cart, ['book']);
  });

  it('passes every other path to the app untouched', async () => {
    const client = new ApiClient(app.url);
    assert.deepEqual((await client.get('/__stranglerish', { headers: keyed })).body, { app: 'saw __stranglerish' });
    assert.deepEqual((await client.get('/other')).body, { app: 'saw other' });
    assert.equal((await client.get('/me')).status, 401);
  });

  it('answers its own unknown endpoints and wrong methods itself', async () => {
    const client = new ApiClient(app.url);
    const unknown = await client.get('/__strangler/nope', { headers: keyed });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no such adapter endpoint \(known: \/__strangler\/session/);
    assert.equal((await client.get('/__strangler', { headers: keyed })).status, 404);
    const wrong = await client.post('/__strangler/session', {}, { headers: keyed });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
  });

  it('logs a user in under a fresh session id with the app\'s own cookie, replacing the old session', async () => {
    const client = await loggedIn(8);
    const oldSid = await client.cookie(COOKIE);
    const answer = await client.post('/__strangler/login', { sub: '7', claims: { role: 'admin', name: 'Ada L.' } }, { headers: keyed });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.sub, '7');
    assert.deepEqual(answer.body.claims, { role: 'admin', name: 'Ada L.' });
    assert.equal(answer.setCookies.length, 1);
    assert.match(answer.setCookies[0] ?? '', /^shop\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const newSid = await client.cookie(COOKIE);
    assert.notEqual(newSid, oldSid, 'never the id the client came with');
    assert.deepEqual((await client.get('/me')).body, { id: 7, role: 'admin', name: 'Ada L.' });
    // The old session is gone from the store, not just replaced in the jar.
    const old = new ApiClient(app.url);
    await old.jar.setCookie(`${COOKIE}=${oldSid}`, app.url);
    assert.equal((await old.get('/me')).status, 401);
  });

  it('refuses a login body that is not JSON, or has no sub, with 400', async () => {
    const client = new ApiClient(app.url);
    const bad = await client.request('POST', '/__strangler/login', { body: '{"sub":', headers: { ...keyed, 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /\/__strangler\/login: the body is not JSON/);
    const noSub = await client.post('/__strangler/login', { claims: {} }, { headers: keyed });
    assert.equal(noSub.status, 400);
    assert.match(noSub.body.error, /"sub" must be a non-empty string/);
    assert.deepEqual(noSub.setCookies, []);
  });

  it('logs a session out: the store forgets it, the app says 401, and the named cookie is cleared', async () => {
    const client = await loggedIn(7);
    const sid = await client.cookie(COOKIE);
    const answer = await client.post('/__strangler/logout', { cookie: COOKIE }, { headers: keyed });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { sub: null });
    assert.equal(answer.setCookies.length, 1);
    assert.match(answer.setCookies[0] ?? '', /^shop\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    const replay = new ApiClient(app.url);
    await replay.jar.setCookie(`${COOKIE}=${sid}`, app.url);
    assert.equal((await replay.get('/me')).status, 401);
    assert.deepEqual((await replay.get('/__strangler/session', { headers: keyed })).body, { sub: null });
  });

  it('touches a live session as express-session would: a later expiry in the store', async () => {
    const client = await loggedIn(8);
    const first = await client.get('/__strangler/session', { headers: keyed });
    await new Promise((r) => setTimeout(r, 30));
    const touched = await client.post('/__strangler/touch', undefined, { headers: keyed });
    assert.equal(touched.status, 200);
    assert.ok(touched.body.expires_at > first.body.expires_at);
    const again = await client.get('/__strangler/session', { headers: keyed });
    assert.equal(again.body.expires_at, touched.body.expires_at, 'the store holds the new expiry');
    const nobody = await new ApiClient(app.url).post('/__strangler/touch', undefined, { headers: keyed });
    assert.deepEqual(nobody.body, { sub: null });
    assert.deepEqual(nobody.setCookies, []);
  });
});

describe('stranglerAdapter in an app whose middleware finishes responses later', () => {
  // An audit or compression middleware wraps res.end and calls express-session's end some
  // milliseconds after the adapter answered. express-session touches the session again in
  // its end: the expiry the adapter answered must still be the one the store keeps.
  function lateFinisher(): express.RequestHandler {
    return (_req, res, next) => {
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
      res.end = ((...args: unknown[]) => {
        setTimeout(() => end(...args), 15);
        return res;
      }) as typeof res.end;
      next();
    };
  }

  let store: MemoryStore;
  let app: RunningServer;
  before(async () => {
    store = new MemoryStore();
    app = await startServer(shopApp(store, { login }, {}, [lateFinisher()]));
  });
  after(() => app.close());

  /** The expiry the store holds for the client's session (ms). */
  async function storedExpiry(client: ApiClient): Promise<number> {
    const read = readSessionId(`${COOKIE}=${(await client.cookie(COOKIE)) ?? ''}`, [SHOP_SECRET], COOKIE);
    assert.ok(read.ok, 'the client holds the app\'s signed session cookie');
    const stored = (await storedSessions(store))[read.sid];
    assert.ok(stored, 'the session is in the store');
    return new Date(stored.cookie.expires as unknown as string).getTime();
  }

  it('answers a touch with the expiry the store then holds', async () => {
    const client = new ApiClient(app.url);
    assert.equal((await client.post('/__strangler/login', { sub: '8' }, { headers: keyed })).status, 200);
    const touched = await client.post('/__strangler/touch', undefined, { headers: keyed });
    assert.equal(touched.status, 200);
    assert.equal(await storedExpiry(client), touched.body.expires_at);
  });

  it('answers a login with the expiry the store then holds', async () => {
    const client = new ApiClient(app.url);
    const answer = await client.post('/__strangler/login', { sub: '7' }, { headers: keyed });
    assert.equal(answer.status, 200);
    assert.equal(await storedExpiry(client), answer.body.expires_at);
  });
});

describe('stranglerAdapter faults', () => {
  it('answers 501 naming the `login` option when the app gave none', async () => {
    const app = await startServer(shopApp(new MemoryStore()));
    try {
      const answer = await new ApiClient(app.url).post('/__strangler/login', { sub: '7' }, { headers: keyed });
      assert.equal(answer.status, 501);
      assert.match(answer.body.error, /no `login` option.*pass login: async \(req, sub, claims\)/);
      assert.deepEqual(answer.setCookies, []);
    } finally {
      await app.close();
    }
  });

  it('answers 500 with the fix when login does not store what identify reads, and keeps no session', async () => {
    const store = new MemoryStore();
    const app = await startServer(shopApp(store, { login: (req) => void (req.session.cart = ['x']) }));
    try {
      const answer = await new ApiClient(app.url).post('/__strangler/login', { sub: '7' }, { headers: keyed });
      assert.equal(answer.status, 500);
      assert.match(answer.body.error, /identify\(req\) then found nobody: make login store the user where identify reads it/);
      assert.equal(await sessionCount(store), 0);
    } finally {
      await app.close();
    }
  });

  it('turns a throwing identify or a numeric sub into a 500 that names identify, and keeps serving', async () => {
    let mode: 'throw' | 'number' = 'throw';
    const app = await startServer(shopApp(new MemoryStore(), {
      identify: () => {
        if (mode === 'throw') throw new Error('users table is locked');
        return { sub: 7 as unknown as string };
      },
    }));
    try {
      const client = new ApiClient(app.url);
      const thrown = await client.get('/__strangler/session', { headers: keyed });
      assert.equal(thrown.status, 500);
      assert.match(thrown.body.error, /identify\(req\) threw: users table is locked/);
      mode = 'number';
      const numeric = await client.get('/__strangler/session', { headers: keyed });
      assert.equal(numeric.status, 500);
      assert.match(numeric.body.error, /returned sub 7: return the user id as a non-empty string/);
      assert.deepEqual((await client.get('/other')).body, { app: 'saw other' });
    } finally {
      await app.close();
    }
  });

  it('takes a body the app\'s own express.json() already parsed, and refuses one over 64 KiB with 413', async () => {
    const store = new MemoryStore();
    const parsed = express();
    parsed.use(express.json({ limit: '1mb' }));
    parsed.use(shopApp(store, { login }));
    const app = await startServer(parsed);
    try {
      const client = new ApiClient(app.url);
      const answer = await client.post('/__strangler/login', { sub: '8' }, { headers: keyed });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.sub, '8');
      const badName = await client.post('/__strangler/logout', { cookie: 'shop.sid; Domain=evil' }, { headers: keyed });
      assert.equal(badName.status, 400, 'parsed by the app, the body is still checked');
      assert.match(badName.body.error, /"cookie" must be a cookie name/);
    } finally {
      await app.close();
    }
    const plain = await startServer(shopApp(new MemoryStore(), { login }));
    try {
      const big = await new ApiClient(plain.url).post('/__strangler/login', { sub: '7', pad: 'x'.repeat(70_000) }, { headers: keyed });
      assert.equal(big.status, 413);
      assert.match(big.body.error, /larger than 65536 bytes/);
    } finally {
      await plain.close();
    }
  });

  it('says to mount it after the session middleware when there is no req.session', async () => {
    const bare = express();
    bare.use(stranglerAdapter({ key: KEY, identify, path: '/internal/strangler' }));
    const app = await startServer(bare);
    try {
      const answer = await new ApiClient(app.url).get('/internal/strangler/session', { headers: keyed });
      assert.equal(answer.status, 500);
      assert.match(answer.body.error, /mount the adapter after the app's session middleware/);
    } finally {
      await app.close();
    }
  });
});
