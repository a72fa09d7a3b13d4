import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage, type RequestListener } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { startServer, tempDir, waitFor, type RunningServer } from '../../../../test/kit/index.js';
import { differingHandler, type Hit } from '../../../../test/kit/proxy/differing-backend.js';
import { openDiffStore, type DiffStore } from '../store/diff-store.js';
import { createShadowMetrics } from './shadow-metrics.js';
import { createShadower, type Shadower, type ShadowerDeps } from './shadower.js';
import type { BodyCopy, ShadowBackend, ShadowSettings } from './shadow-settings.js';

/** A bounded copy of a stream that is being piped elsewhere (what the proxy's tee does). */
function tee(stream: Readable, max: number): Promise<BodyCopy> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    stream.on('data', (c: Buffer) => {
      seen += c.length;
      if (kept < max) {
        const part = c.subarray(0, max - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    stream.once('end', () => resolve({ body: Buffer.concat(chunks), truncated: seen > kept, complete: true }));
    stream.once('close', () => resolve({ body: Buffer.concat(chunks), truncated: seen > kept, complete: stream.readableEnded }));
  });
}

const settings = (over: Partial<ShadowSettings> = {}): ShadowSettings => ({
  to: 'new', methods: ['GET', 'HEAD'], percent: 100, ignore: [], unsafe: false, unordered: false,
  headers: [], noise: 'off', timeoutMs: 5000, ...over,
});
const backend = (name: string, url: string): ShadowBackend => ({ name, url: new URL(url), auth: 'session' });

/**
 * A streaming proxy that mirrors every request of one route: the same seams the real proxy
 * offers (tee of the request body, tee of the upstream answer, a call when it is over).
 */
function harness(shadower: Shadower, primary: () => ShadowBackend, shadow: () => ShadowBackend, route: () => ShadowSettings, maxBody = 1 << 20): RequestListener {
  return (req, res) => {
    const startedAt = performance.now();
    const p = primary();
    const tap = shadower.begin({
      route: 'users', requestId: String(req.headers['x-request-id'] ?? 'rid'), method: req.method ?? 'GET', pathAndSearch: req.url ?? '/',
      req, primary: p, shadow: shadow(), settings: route(),
    });
    if (tap && req.method !== 'GET' && req.method !== 'HEAD') tap.requestBody(tee(req, maxBody));
    const up = request({ host: p.url.hostname, port: p.url.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      tap?.primaryResponse(upRes.statusCode ?? 0, upRes.headers, tee(upRes, maxBody));
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":"Bad Gateway"}');
    });
    req.pipe(up);
    res.once('close', () => tap?.end({ answered: res.writableFinished, durationMs: performance.now() - startedAt }));
  };
}

const USERS = [
  { id: 1, username: 'admin', name: 'Admin', email: 'admin@localhost', role: 'admin', created_at: '2024-01-01T00:00:00.000Z' },
  { id: 2, username: 'ann', name: 'Ann', email: 'ann@x.io', role: 'user', created_at: '2024-01-02T00:00:00.000Z' },
  { id: 3, username: 'bob', name: 'Bob', email: 'bob@x.io', role: 'user', created_at: '2024-01-03T00:00:00.000Z' },
];

interface Rig {
  store: DiffStore;
  shadower: Shadower;
  registry: Registry;
  proxy: RunningServer;
  primary: RunningServer;
  shadow: RunningServer;
  primaryHits: Hit[];
  shadowHits: Hit[];
  route: { current: ShadowSettings };
  close(): Promise<void>;
}

const dir = tempDir('shadower-');
after(() => dir.cleanup());
let dbn = 0;

async function rig(
  primaryAnswer: Parameters<typeof differingHandler>[0],
  shadowAnswer: Parameters<typeof differingHandler>[0],
  over: Partial<ShadowSettings> = {},
  deps: Partial<ShadowerDeps> = {},
  maxBody?: number,
): Promise<Rig> {
  // The shadow thread writes this file; the test reads it through its own connection.
  const diffsPath = dir.file(`diffs-${dbn++}.db`);
  const store = openDiffStore(diffsPath);
  const registry = new Registry();
  const shadower = createShadower({ diffsPath, storeOptions: { flushMs: 5 }, metrics: createShadowMetrics(registry), ...deps });
  const p = differingHandler(primaryAnswer);
  const s = differingHandler(shadowAnswer);
  const primary = await startServer(p.handler);
  const shadow = await startServer(s.handler);
  const route = { current: settings(over) };
  const proxy = await startServer(harness(shadower, () => backend('legacy', primary.url), () => backend('new', shadow.url), () => route.current, maxBody));
  return {
    store, shadower, registry, proxy, primary, shadow, primaryHits: p.hits, shadowHits: s.hits, route,
    async close() {
      await proxy.close();
      await shadow.close();
      await shadower.close(100);
      await primary.close();
      store.close();
    },
  };
}

async function settled(r: Rig): Promise<void> {
  await r.shadower.idle();
  await r.shadower.flush();
}

describe('shadower', () => {
  describe('with a shadow that differs on purpose', () => {
    let r: Rig;
    before(async () => {
      r = await rig(() => ({ body: USERS }), (req) => {
        if (req.url === '/users') {
          return {
            body: [
              { ...USERS[0], id: '1', created_at: 'now' },
              { ...USERS[1], email: 'ANN@x.io', created_at: 'now' },
              { id: 3, username: 'bob', name: 'Bob', email: 'bob@x.io', created_at: 'now', extra: true },
            ],
          };
        }
        if (req.url === '/users/2') return { status: 404, body: { error: 'User not found' } };
        return { body: USERS };
      }, { ignore: ['created_at'] });
    });
    after(() => r.close());

    it('finds every planted difference at its exact path, and leaves ignored fields out', async () => {
      const res = await fetch(`${r.proxy.url}/users`, { headers: { 'x-request-id': 'req-users-1' } });
      assert.deepEqual(await res.json(), USERS);
      await waitFor(async () => { await settled(r); return r.store.summary().routes.length > 0; }, 'the comparison');
      const [users] = r.store.summary().routes;
      assert.equal(users?.mismatched, 1);
      const sample = users?.samples[0];
      assert.equal(sample?.requestId, 'req-users-1');
      assert.deepEqual(sample?.differences, [
        { path: '$[0].id', kind: 'type', primary: 1, shadow: '1' },
        { path: '$[1].email', kind: 'changed', primary: 'ann@x.io', shadow: 'ANN@x.io' },
        { path: '$[2].role', kind: 'missing', primary: 'user' },
        { path: '$[2].extra', kind: 'added', shadow: true },
      ]);
    });

    it('compares statuses, and keeps the exchange for export', async () => {
      const res = await fetch(`${r.proxy.url}/users/2`);
      assert.equal(res.status, 200);
      await waitFor(async () => { await settled(r); return r.store.mismatches('users').length === 2; }, 'the comparison');
      const [latest] = r.store.mismatches('users');
      assert.deepEqual(latest?.differences.slice(0, 1), [{ path: 'status', kind: 'changed', primary: 200, shadow: 404 }]);
      assert.equal(latest?.exchange.request.path, '/users/2');
      assert.equal(latest?.exchange.shadow.body, '{"error":"User not found"}');
      assert.deepEqual(JSON.parse(latest?.exchange.primary.body ?? ''), USERS);
    });

    it('marks the copy and carries the request id', () => {
      const hit = r.shadowHits.find((h) => h.headers['x-request-id'] === 'req-users-1');
      assert.equal(hit?.headers['x-shadow-request'], '1');
      assert.equal(r.primaryHits.some((h) => h.headers['x-shadow-request']), false);
    });

    it('counts results in proxy_shadow_requests_total', async () => {
      const text = await r.registry.metrics();
      assert.match(text, /proxy_shadow_requests_total\{route="users",result="mismatched"\} 2/);
      assert.match(text, /proxy_shadow_requests_total\{route="users",result="matched"\} 0/);
    });
  });

  it('reports nothing when only ignored fields differ', async () => {
    const r = await rig(() => ({ body: USERS }), () => ({ body: USERS.map((u) => ({ ...u, created_at: 'other' })) }), { ignore: ['created_at'] });
    try {
      for (let i = 0; i < 3; i++) await (await fetch(`${r.proxy.url}/users`)).text();
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.shadowed === 3; }, 'three comparisons');
      const [users] = r.store.summary().routes;
      assert.deepEqual([users?.matched, users?.matchRate, users?.topPaths], [3, 100, []]);
    } finally {
      await r.close();
    }
  });

  it('learns noise from the primary answering twice, and stops reporting it', async () => {
    let n = 0;
    const answer = () => ({ body: { users: USERS.slice(0, 2).map((u) => ({ ...u, nonce: `n${n++}` })), total: 2 } });
    const r = await rig(answer, answer, { noise: 'learn' });
    try {
      for (let i = 0; i < 6; i++) {
        await (await fetch(`${r.proxy.url}/users`)).text();
        await r.shadower.idle();
      }
      await settled(r);
      assert.equal(r.primaryHits.length, 12, 'each sampled request reached the primary twice');
      assert.equal(r.primaryHits.filter((h) => h.headers['x-shadow-request'] === '1').length, 6);
      const [users] = r.store.summary().routes;
      assert.deepEqual(users?.noise.map((x) => x.pattern), ['$.users[*].nonce']);
      const rows = r.store.summary({ samples: 10 }).routes[0];
      assert.ok(rows && rows.matched >= 4, `matched after learning: ${rows?.matched}`);
      assert.deepEqual(rows?.topPaths.map((t) => t.path), ['$.users[*].nonce']);
    } finally {
      await r.close();
    }
  });

  it('does not mirror POST unless the route says unsafe', async () => {
    const r = await rig((_req, body) => ({ status: 201, body: { echo: body.length } }), (_req, body) => ({ status: 201, body: { echo: body.length } }));
    try {
      const post = await fetch(`${r.proxy.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"x","password":"secret-pass"}' });
      assert.equal(post.status, 201);
      await settled(r);
      assert.equal(r.shadowHits.length, 0);

      r.route.current = settings({ methods: ['GET', 'POST'], unsafe: false });
      await (await fetch(`${r.proxy.url}/users`, { method: 'POST', body: '{}' })).text();
      await settled(r);
      assert.equal(r.shadowHits.length, 0, 'an unsafe method without unsafe: true is never mirrored');

      r.route.current = settings({ methods: ['POST'], unsafe: true });
      await (await fetch(`${r.proxy.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"y","password":"secret-pass"}' })).text();
      await waitFor(() => r.shadowHits.length === 1, 'the copy');
      assert.equal(r.shadowHits[0]?.body, '{"username":"y","password":"secret-pass"}');
      assert.equal(r.shadowHits[0]?.method, 'POST');
      await (await fetch(`${r.proxy.url}/users`)).text();
      await settled(r);
      assert.equal(r.shadowHits.length, 1, 'GET is not in methods: not mirrored');
    } finally {
      await r.close();
    }
  });

  it('does not mirror request bodies over the cap, and counts them', async () => {
    const r = await rig((_req, body) => ({ body: { got: body.length } }), () => ({ body: {} }), { methods: ['PUT'], unsafe: true }, {}, 1024);
    try {
      const res = await fetch(`${r.proxy.url}/users/1`, { method: 'PUT', body: 'x'.repeat(5000) });
      assert.deepEqual(await res.json(), { got: 5000 });
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.oversized === 1; }, 'the count');
      assert.equal(r.shadowHits.length, 0);
    } finally {
      await r.close();
    }
  });

  it('leaves the answers unchanged when the shadow hangs, and records a timeout', async () => {
    const r = await rig((req) => ({ body: { path: req.url } }), () => 'hang', { timeoutMs: 200 });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${r.proxy.url}/users/${i}`);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { path: `/users/${i}` });
      }
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.errors === 5; }, 'five timeouts');
      assert.deepEqual(r.store.summary().routes[0]?.errorKinds, { timeout: 5 });
    } finally {
      await r.close();
    }
  });

  it('leaves the answers unchanged when the shadow dies mid-request or is down', async () => {
    const r = await rig((req) => ({ body: { path: req.url } }), () => 'die');
    try {
      const res = await fetch(`${r.proxy.url}/users`);
      assert.deepEqual([res.status, await res.json()], [200, { path: '/users' }]);
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.errors === 1; }, 'a reset');
      assert.deepEqual(r.store.summary().routes[0]?.errorKinds, { reset: 1 });
      await r.shadow.close();
      const again = await fetch(`${r.proxy.url}/users/7`);
      assert.deepEqual([again.status, await again.json()], [200, { path: '/users/7' }]);
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.errors === 2; }, 'a refusal');
      assert.deepEqual(r.store.summary().routes[0]?.errorKinds, { reset: 1, refused: 1 });
    } finally {
      await r.close();
    }
  });

  it('drops and counts copies over the concurrency bound and queue', async () => {
    const r = await rig((req) => ({ body: { path: req.url } }), () => 'hang', { timeoutMs: 60_000 }, { maxInFlight: 1, maxQueued: 1 });
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${r.proxy.url}/users/${i}`);
        assert.deepEqual(await res.json(), { path: `/users/${i}` });
      }
      await waitFor(() => r.shadowHits.length === 1, 'one copy in flight');
      await r.shadower.flush();
      assert.equal(r.store.summary().routes[0]?.dropped, 8);
      assert.match(await r.registry.metrics(), /proxy_shadow_requests_total\{route="users",result="dropped"\} 8/);
    } finally {
      await r.close();
    }
  });

  it('sends copies dispatchDelayMs after their answers were delivered, in one batch', async () => {
    const r = await rig((req) => ({ body: { path: req.url } }), (req) => ({ body: { path: req.url } }), {}, { dispatchDelayMs: 1000 });
    try {
      const answered = performance.now();
      for (let i = 0; i < 3; i++) assert.deepEqual(await (await fetch(`${r.proxy.url}/users/${i}`)).json(), { path: `/users/${i}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(r.shadowHits.length, 0, 'no copy before the delay');
      await waitFor(() => r.shadowHits.length === 3, 'the batch');
      assert.ok(performance.now() - answered >= 1000);
      await settled(r);
      assert.equal(r.store.summary().routes[0]?.matched, 3);
    } finally {
      await r.close();
    }
  });

  it('mirrors only the configured share of requests', async () => {
    let roll = 0;
    const rolls = [0.1, 0.9, 0.2, 0.8];
    const r = await rig(() => ({ body: {} }), () => ({ body: {} }), { percent: 50 }, { random: () => rolls[roll++ % rolls.length] as number });
    try {
      for (let i = 0; i < 4; i++) await (await fetch(`${r.proxy.url}/users`)).text();
      await waitFor(async () => { await settled(r); return r.store.summary().routes[0]?.shadowed === 2; }, 'two copies');
      assert.equal(r.shadowHits.length, 2);
    } finally {
      await r.close();
    }
  });

  it('authorises the copy through the authorizeShadow seam', async () => {
    const seen: string[] = [];
    const r = await rig(() => ({ body: {} }), () => ({ body: {} }), {}, {
      authorizeShadow: (req, b) => {
        seen.push(b.name);
        return { authorization: `Bearer for-${String(req.headers.cookie)}`, cookie: null };
      },
    });
    try {
      await (await fetch(`${r.proxy.url}/users`, { headers: { cookie: 'connect.sid=abc' } })).text();
      await waitFor(() => r.shadowHits.length === 1, 'the copy');
      assert.equal(r.shadowHits[0]?.headers.authorization, 'Bearer for-connect.sid=abc');
      assert.equal(r.shadowHits[0]?.headers.cookie, undefined);
      assert.equal(r.primaryHits[0]?.headers.cookie, 'connect.sid=abc');
      assert.deepEqual(seen, ['new']);
    } finally {
      await r.close();
    }
  });

  it('never mirrors a WebSocket upgrade', async () => {
    const shadower = createShadower({ diffsPath: dir.file('ws.db') });
    const req = { headers: { upgrade: 'websocket' } } as unknown as IncomingMessage;
    const tap = shadower.begin({ route: 'mcp', requestId: 'x', method: 'GET', pathAndSearch: '/mcp/ws', req, primary: backend('legacy', 'http://127.0.0.1:1'), shadow: backend('new', 'http://127.0.0.1:2'), settings: settings() });
    assert.equal(tap, undefined);
    await shadower.close();
  });
});
