import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { ADMIN_TOKEN, startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { rawGet } from '../../test/kit/proxy/raw-http.js';

describe('/__proxy/ admin', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    proxy = await startProxy(routesYaml({
      backends: { legacy: { url: legacy.url }, new: { url: next.url, auth: 'jwt' } },
      default: 'legacy',
      routes: [
        { name: 'auth', paths: ['/auth/**'], target: 'legacy' },
        { name: 'users', paths: ['/users', '/users/**'], target: 'legacy' },
      ],
    }), {
      extensions: [{ name: 'diffs-test', registerAdmin: (router) => router.get('/diffs', (_req, res) => { res.json({ from: 'extension' }); }) }],
    });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it('serves health without a token', async () => {
    const res = await fetch(`${proxy.url}/__proxy/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'proxy');
    const body = (await res.json()) as { status: string; routesLoadedAt: string };
    assert.equal(body.status, 'ok');
    assert.ok(!Number.isNaN(Date.parse(body.routesLoadedAt)));
  });

  for (const path of ['routes', 'metrics', 'diffs']) {
    it(`refuses GET ${path} without the admin token, and with a wrong one`, async () => {
      const none = await fetch(`${proxy.url}/__proxy/${path}`);
      assert.equal(none.status, 401);
      assert.match(((await none.json()) as { error: string }).error, /Bearer/);
      const wrong = await fetch(`${proxy.url}/__proxy/${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
      const basic = await fetch(`${proxy.url}/__proxy/${path}`, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
      assert.equal(basic.status, 401);
      await basic.body?.cancel();
    });
  }

  it('shows the table in force', async () => {
    const res = await proxy.admin('routes');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.version, 1);
    assert.equal(body.default, 'legacy');
    assert.equal(body.source, proxy.file);
    assert.deepEqual((body.backends as Array<{ name: string; url: string; auth: string }>).map(({ name, url, auth }) => ({ name, url, auth })), [
      { name: 'legacy', url: legacy.url, auth: 'session' },
      { name: 'new', url: next.url, auth: 'jwt' },
    ]);
    assert.deepEqual((body.routes as Array<{ name: string; target: string }>).map((r) => [r.name, r.target]), [['auth', 'legacy'], ['users', 'legacy']]);
    assert.equal(body.lastError, undefined);
  });

  it('PUT /__proxy/routes/users flips the route at once and keeps the file\'s comments', async () => {
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ target: 'new' }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { route: { name: string; target: string }; changes: string[] };
    assert.equal(body.route.target, 'new');
    assert.deepEqual(body.changes, ['users: legacy -> new']);
    const text = readFileSync(proxy.file, 'utf8');
    assert.match(text, /# test routes: this comment must survive edits/);
    assert.match(text, /target: new {3}# which backend answers/);
    const echo = (await (await fetch(`${proxy.url}/users/3`)).json()) as Echo;
    assert.equal(echo.backend, 'new', 'no watcher here: the PUT itself reloads');
  });

  it('PUT sets and removes a canary', async () => {
    const set = await proxy.admin('routes/auth', { method: 'PUT', body: JSON.stringify({ canary: { to: 'new', percent: 25 } }), headers: { 'content-type': 'application/json' } });
    assert.equal(set.status, 200);
    assert.deepEqual(((await set.json()) as { route: { canary: unknown } }).route.canary, { to: 'new', percent: 25 });
    const removed = await proxy.admin('routes/auth', { method: 'PUT', body: JSON.stringify({ canary: null }), headers: { 'content-type': 'application/json' } });
    assert.equal(((await removed.json()) as { route: { canary: unknown } }).route.canary, null);
  });

  it('PUT refuses a bad body with 400 and every problem named', async () => {
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ target: 5, colour: 'red' }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; errors: string[] };
    assert.ok(body.errors.some((e) => e.startsWith('target:')), body.error);
    assert.ok(body.errors.some((e) => e.includes('colour')), body.error);

    const empty = await proxy.admin('routes/users', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.status, 400);
    await empty.body?.cancel();

    const malformed = await proxy.admin('routes/users', { method: 'PUT', body: '{"target":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.deepEqual(await malformed.json(), { error: 'Invalid JSON body' });
  });

  it('PUT refuses an unknown backend with 400 and leaves the file alone', async () => {
    const before = readFileSync(proxy.file, 'utf8');
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ target: 'nwe' }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /nwe/);
    assert.equal(readFileSync(proxy.file, 'utf8'), before);
  });

  it('PUT answers 404 for an unknown route', async () => {
    const res = await proxy.admin('routes/billing', { method: 'PUT', body: JSON.stringify({ target: 'new' }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /unknown route "billing" \(known: auth, users\)/);
  });

  it('serves Prometheus metrics from its own registry', async () => {
    await (await fetch(`${proxy.url}/users/9`)).text();
    const res = await proxy.admin('metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /proxy_requests_total\{route="users",backend="new",status_class="2xx"\} [1-9]/);
    assert.match(text, /proxy_request_duration_seconds_bucket\{le="[^"]+",route="users",backend="new"\}/);
    assert.match(text, /proxy_config_reloads_total\{result="success"\} [1-9]/);
    assert.match(text, /proxy_config_reloads_total\{result="error"\} 0/);
  });

  it('lets an extension serve /__proxy/diffs', async () => {
    assert.deepEqual(await (await proxy.admin('diffs')).json(), { from: 'extension' });
  });

  it('never forwards /__proxy/, however the path is spelled', async () => {
    const before = legacy.requests.length + next.requests.length;
    const unknown = await proxy.admin('nothing-here');
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: string }).error, /Not found/);
    const doubled = await rawGet(proxy.port, '//__proxy/routes');
    assert.equal(doubled.status, 401);
    const dotted = await rawGet(proxy.port, '/./__proxy/metrics');
    assert.equal(dotted.status, 401);
    const bare = await rawGet(proxy.port, '/__proxy');
    assert.equal(bare.status, 401, 'the admin app answers, and wants the token');
    assert.equal(legacy.requests.length + next.requests.length, before);
  });
});
