import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import session, { MemoryStore } from 'express-session';
import { pino } from 'pino';
import { ApiClient, startServer, type RunningServer } from '../../../../test/kit/index.js';
import { stranglerAdapter, type StranglerAdapterOptions } from '../../../../legacy-adapter/src/strangler-adapter/index.js';
import { createAdapterSessionSource, type AdapterSourceDeps } from './adapter-source.js';
import type { SessionSource, SourceRequest } from './session-source.js';

const KEY = 'adapter-source-test-key-0123456789abcdef012345';
const COOKIE = 'shop.sid';

declare module 'express-session' {
  interface SessionData { account?: { id: number; role: string } }
}

interface ShopApp extends RunningServer {
  /** Requests that reached the adapter's path, whatever the answer. */
  readonly adapterHits: () => number;
  /** Requests the adapter path gets are held this long first (a slow app). */
  delayMs: number;
  failIdentify: boolean;
}

/** A real express app (MemoryStore, its own cookie, the user in req.session.account) mounting the adapter. */
async function startShop(adapter: Partial<StranglerAdapterOptions> = {}): Promise<ShopApp> {
  let hits = 0;
  const state = { delayMs: 0, failIdentify: false };
  const app = express();
  app.use((req, _res, next) => {
    if (!req.url.startsWith('/__strangler')) return next();
    hits++;
    if (state.delayMs) setTimeout(next, state.delayMs);
    else next();
  });
  app.use(session({ name: COOKIE, secret: 'shop-secret-0123456789abcdef0123456789', store: new MemoryStore(), resave: false, saveUninitialized: false, cookie: { maxAge: 600_000 } }));
  app.use(stranglerAdapter({
    key: KEY,
    identify: (req) => {
      if (state.failIdentify) throw new Error('accounts database is down');
      return req.session.account ? { sub: String(req.session.account.id), claims: { role: req.session.account.role } } : undefined;
    },
    login: (req, sub, claims) => void (req.session.account = { id: Number(sub), role: String(claims.role ?? 'user') }),
    ...adapter,
  }));
  app.post('/login/:id', (req, res) => {
    req.session.account = { id: Number(req.params.id), role: 'admin' };
    res.json({ ok: true });
  });
  app.get('/me', (req, res) => void (req.session.account ? res.json(req.session.account) : res.status(401).json({ error: 'Not authenticated' })));
  const running = await startServer(app);
  return {
    ...running,
    adapterHits: () => hits,
    get delayMs() { return state.delayMs; },
    set delayMs(v: number) { state.delayMs = v; },
    get failIdentify() { return state.failIdentify; },
    set failIdentify(v: boolean) { state.failIdentify = v; },
  };
}

function captureLogs() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 40) };
}

function request(cookieHeader: string | undefined, nowMs = Date.now()): SourceRequest {
  return { sid: cookieHeader ?? '', cookieHeader, cachedJti: undefined, nowMs };
}

async function cookieHeaderOf(client: ApiClient): Promise<string> {
  return client.jar.getCookieString(client.baseUrl);
}

describe('adapter session source against a real app', () => {
  let shop: ShopApp;
  let source: SessionSource;

  before(async () => {
    shop = await startShop();
    source = createAdapterSessionSource({ key: KEY, path: '/__strangler', cookie: COOKIE }, new URL(shop.url), { logger: captureLogs().logger });
  });
  after(async () => {
    await source.close();
    await shop.close();
  });

  it('does not call the app for a request without cookies', async () => {
    const hits = shop.adapterHits();
    assert.deepEqual(await source.find(request(undefined)), { ok: false, reason: 'no-session' });
    assert.equal(shop.adapterHits(), hits);
    assert.equal(source.verifiesCookies, false);
  });

  it('finds the user and claims behind the client\'s cookie, with the app\'s expiry', async () => {
    const browser = new ApiClient(shop.url);
    await browser.post('/login/7');
    const found = await source.find(request(`theme=dark; ${await cookieHeaderOf(browser)}`));
    assert.ok(found.ok, JSON.stringify(found));
    assert.equal(found.session.sub, '7');
    assert.deepEqual(found.session.claims, { role: 'admin' });
    // express-session sets expires, then reads maxAge back (expires − now): a millisecond may pass between.
    assert.ok(Math.abs((found.session.originalMaxAge ?? 0) - 600_000) <= 10, String(found.session.originalMaxAge));
    assert.ok(Math.abs(found.session.expiresAt - (Date.now() + 600_000)) < 5000);
    assert.equal(found.session.validAfter, 0);
    assert.equal(found.session.revoked, false);
  });

  it('reads a forged or unknown cookie as no session', async () => {
    assert.deepEqual(await source.find(request(`${COOKIE}=s%3Aforged.AAAA`)), { ok: false, reason: 'no-session' });
    assert.deepEqual(await source.find(request('other=1')), { ok: false, reason: 'no-session' });
  });

  it('touches through the app: the expiry it reports moves', async () => {
    const browser = new ApiClient(shop.url);
    await browser.post('/login/8');
    const header = await cookieHeaderOf(browser);
    const first = await source.find(request(header));
    await new Promise((r) => setTimeout(r, 30));
    await source.touch(request(header), Date.now() + 600_000);
    const second = await source.find(request(header));
    assert.ok(first.ok && second.ok);
    assert.ok(second.session.expiresAt > first.session.expiresAt);
  });

  it('logs in through the app: its own Set-Cookie, which the app then accepts', async () => {
    const browser = new ApiClient(shop.url);
    const result = await source.login('9', { role: 'user' }, { sid: undefined, cookieHeader: undefined, nowMs: Date.now() });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.setCookie.length, 1);
    assert.match(result.setCookie[0] ?? '', /^shop\.sid=s%3A/);
    await browser.jar.setCookie(result.setCookie[0] ?? '', shop.url);
    assert.deepEqual((await browser.get('/me')).body, { id: 9, role: 'user' });
  });

  it('logs out through the app: the session is gone and the cookie cleared', async () => {
    const browser = new ApiClient(shop.url);
    await browser.post('/login/7');
    const header = await cookieHeaderOf(browser);
    const result = await source.logout({ sid: header, cookieHeader: header, nowMs: Date.now() });
    assert.equal(result.setCookie.length, 1);
    assert.match(result.setCookie[0] ?? '', /^shop\.sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    assert.deepEqual(await source.find(request(header)), { ok: false, reason: 'no-session' });
    assert.equal((await browser.get('/me')).status, 401);
  });

  it('reports a login the app cannot make (no login option) as a failure with the app\'s reason', async () => {
    const bare = await startShop({ login: undefined });
    const other = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(bare.url), { logger: captureLogs().logger });
    try {
      const result = await other.login('7', {}, { sid: undefined, cookieHeader: undefined, nowMs: Date.now() });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.reason : '', /answered 501 to a login: stranglerAdapter has no `login` option/);
    } finally {
      await other.close();
      await bare.close();
    }
  });
});

describe('adapter session source behind TLS', () => {
  it('tells an app with secure cookies that the browser is on https, so its login sets the cookie', async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(session({ name: COOKIE, secret: 'shop-secret-0123456789abcdef0123456789', store: new MemoryStore(), resave: false, saveUninitialized: false, cookie: { secure: true, maxAge: 600_000 } }));
    app.use(stranglerAdapter({
      key: KEY,
      identify: (req) => (req.session.account ? { sub: String(req.session.account.id) } : undefined),
      login: (req, sub) => void (req.session.account = { id: Number(sub), role: 'user' }),
    }));
    const shop = await startServer(app);
    const behindTls = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(shop.url), { logger: captureLogs().logger, secureCookies: true });
    const plain = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(shop.url), { logger: captureLogs().logger });
    try {
      const result = await behindTls.login('5', {}, { sid: undefined, cookieHeader: undefined, nowMs: Date.now() });
      assert.ok(result.ok, JSON.stringify(result));
      assert.match(result.setCookie[0] ?? '', /^shop\.sid=s%3A.*; Secure/);
      const refused = await plain.login('5', {}, { sid: undefined, cookieHeader: undefined, nowMs: Date.now() });
      assert.equal(refused.ok, false);
      assert.match(!refused.ok ? refused.reason : '', /the session cookie is `secure` but this request is not https.*trust proxy.*COOKIE_SECURE=true/);
    } finally {
      await behindTls.close();
      await plain.close();
      await shop.close();
    }
  });
});

describe('adapter session source faults', () => {
  it('reads an app that is down as a store error, at once', async () => {
    const gone = await startServer(createServer());
    await gone.close();
    const logs = captureLogs();
    const source = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(gone.url), { logger: logs.logger });
    try {
      const started = Date.now();
      assert.deepEqual(await source.find(request(`${COOKIE}=x`)), { ok: false, reason: 'store-error' });
      assert.ok(Date.now() - started < 500, 'a refused connection is not waited for');
      assert.deepEqual(await source.find(request(`${COOKIE}=x`)), { ok: false, reason: 'store-error' });
      assert.equal(logs.warnings().length, 1, 'one line per outage');
      assert.match(logs.warnings()[0]?.msg ?? '', /connection refused \(is the app running\?\)/);
    } finally {
      await source.close();
    }
  });

  it('reads a slow app as a store error within its deadline', async () => {
    const shop = await startShop();
    const source = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(shop.url), { logger: captureLogs().logger, timeoutMs: 150 });
    try {
      shop.delayMs = 2000;
      const started = Date.now();
      assert.deepEqual(await source.find(request(`${COOKIE}=x`)), { ok: false, reason: 'store-error' });
      assert.ok(Date.now() - started < 1000);
    } finally {
      await source.close();
      await shop.close();
    }
  });

  /** A source on a clock the test moves, so the backoff's pauses are exact. */
  function onClock(shop: ShopApp, key: string, deps: Partial<AdapterSourceDeps> = {}) {
    let now = 1_000_000;
    const logs = captureLogs();
    const source = createAdapterSessionSource({ key, path: '/__strangler' }, new URL(shop.url), { logger: logs.logger, clock: () => now, ...deps });
    return { source, logs, advance: (ms: number) => (now += ms) };
  }

  it('backs off an app that refuses the key: the app sees one call per pause, and one log line names the fix', async () => {
    const shop = await startShop();
    const { source, logs, advance } = onClock(shop, 'a-different-key-0123456789abcdef0123456789');
    try {
      const browser = new ApiClient(shop.url);
      await browser.post('/login/7');
      const header = await cookieHeaderOf(browser);
      const before = shop.adapterHits();
      for (let i = 0; i < 20; i++) assert.deepEqual(await source.find(request(header)), { ok: false, reason: 'store-error' });
      assert.equal(shop.adapterHits() - before, 1, 'after the 401, no call until the pause ends');
      advance(300); // past the first pause (250 ms): one probe, refused again
      for (let i = 0; i < 20; i++) await source.find(request(header));
      assert.equal(shop.adapterHits() - before, 2);
      advance(300); // the second pause is 500 ms: still waiting
      for (let i = 0; i < 20; i++) await source.find(request(header));
      assert.equal(shop.adapterHits() - before, 2);
      advance(300);
      await source.find(request(header));
      assert.equal(shop.adapterHits() - before, 3, 'the pause grows, the calls go on at its pace');
      assert.equal(logs.warnings().length, 1);
      assert.match(logs.warnings()[0]?.msg ?? '', /refused the key \(401\): give the app's stranglerAdapter the same key as routes\.yaml session\.adapter\.key/);
      // Logins and touches wait out the same pause.
      assert.equal((await source.login('7', {}, { sid: undefined, cookieHeader: header, nowMs: 0 })).ok, false);
      await source.touch(request(header), 0);
      assert.equal(shop.adapterHits() - before, 3);
    } finally {
      await source.close();
      await shop.close();
    }
  });

  it('backs off an app answering 5xx the same way, and bridges again once it answers', async () => {
    const shop = await startShop();
    const { source, logs, advance } = onClock(shop, KEY);
    try {
      const browser = new ApiClient(shop.url);
      await browser.post('/login/7');
      const header = await cookieHeaderOf(browser);
      shop.failIdentify = true;
      const before = shop.adapterHits();
      for (let i = 0; i < 10; i++) assert.deepEqual(await source.find(request(header)), { ok: false, reason: 'store-error' });
      assert.equal(shop.adapterHits() - before, 1);
      assert.match(logs.warnings()[0]?.msg ?? '', /answered 500: stranglerAdapter: identify\(req\) threw: accounts database is down/);
      shop.failIdentify = false;
      advance(300);
      const found = await source.find(request(header));
      assert.ok(found.ok);
      assert.equal(found.session.sub, '7');
      assert.ok(logs.lines.some((l) => /answers again/.test(l.msg)));
      for (let i = 0; i < 5; i++) assert.ok((await source.find(request(header))).ok);
      assert.equal(shop.adapterHits() - before, 7, 'healthy again: every find asks');
      assert.equal(logs.warnings().length, 1);
    } finally {
      await source.close();
      await shop.close();
    }
  });

  it('reads a 200 that is not an adapter answer (an app\'s catch-all page) as a store error, naming the path setting', async () => {
    const spa = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>shop</title>');
    });
    const logs = captureLogs();
    const source = createAdapterSessionSource({ key: KEY, path: '/__strangler' }, new URL(spa.url), { logger: logs.logger });
    try {
      assert.deepEqual(await source.find(request(`${COOKIE}=x`)), { ok: false, reason: 'store-error' });
      assert.match(logs.warnings()[0]?.msg ?? '', /answered 200 with something that is not an adapter answer \(the answer is not a JSON object\): check that session\.adapter\.path/);
    } finally {
      await source.close();
      await spa.close();
    }
  });

  it('names the path when nothing answers there (404)', async () => {
    const shop = await startShop();
    const { source, logs } = onClock(shop, KEY);
    const elsewhere = createAdapterSessionSource({ key: KEY, path: '/internal/adapter' }, new URL(shop.url), { logger: logs.logger });
    try {
      assert.deepEqual(await elsewhere.find(request(`${COOKIE}=x`)), { ok: false, reason: 'store-error' });
      assert.match(logs.warnings()[0]?.msg ?? '', /nothing answers at http:\/\/127\.0\.0\.1:\d+\/internal\/adapter\/session \(404\): mount stranglerAdapter/);
    } finally {
      await elsewhere.close();
      await source.close();
      await shop.close();
    }
  });
});
