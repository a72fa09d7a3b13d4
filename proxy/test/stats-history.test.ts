import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { waitFor } from '../../test/kit/index.js';
import type { HistoryEntry } from '../src/history/index.js';
import type { StatsJson } from '../src/stats/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';

describe('/__proxy/stats and /__proxy/history', () => {
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
        { name: 'users', paths: ['/users', '/users/**'], target: 'legacy' },
        { name: 'mcp', paths: ['/mcp/**'], target: 'legacy' },
      ],
    }), { proxyOptions: { historyGraceMs: 50 } });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  for (const path of ['stats', 'history']) {
    it(`refuses GET ${path} without the admin token`, async () => {
      const res = await fetch(`${proxy.url}/__proxy/${path}`);
      assert.equal(res.status, 401);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.routes, undefined);
      assert.equal(body.entries, undefined);
    });
  }

  it('counts requests, failures and latency per route and backend', async () => {
    for (let i = 0; i < 5; i++) await (await fetch(`${proxy.url}/users/${i}`)).text();
    await (await fetch(`${proxy.url}/users/missing`)).text(); // a 404 is an answer, not a failure
    await (await fetch(`${proxy.url}/users/1`)).text();
    const res = await proxy.admin('stats');
    assert.equal(res.status, 200);
    const body = (await res.json()) as StatsJson;
    assert.equal(body.bucketMs, 10_000);
    assert.ok(Math.abs(body.now - Date.now()) < 60_000);
    const users = body.routes.users?.legacy;
    assert.ok(users, JSON.stringify(body));
    assert.equal(users.requests, 7);
    assert.equal(users.errors, 0);
    assert.equal(users.errorRate, 0);
    assert.ok(users.p50 !== null && users.p50 > 0 && users.p99 !== null && users.p99 >= users.p50);
    assert.ok(users.rps > 0);
    assert.equal(users.series.reduce((n, p) => n + p.requests, 0), 7);
  });

  it('counts a backend that is down as failures of that backend', async () => {
    const stopped = await startEchoBackend('gone');
    await stopped.close();
    const original = readFileSync(proxy.file, 'utf8');
    writeFileSync(proxy.file, original.replace(/(legacy:\n {4}url: )\S+/, `$1${stopped.url}`));
    proxy.proxy.reload();
    assert.equal((await fetch(`${proxy.url}/mcp/x`)).status, 502);
    const body = (await (await proxy.admin('stats')).json()) as StatsJson;
    assert.deepEqual({ requests: body.routes.mcp?.legacy?.requests, errors: body.routes.mcp?.legacy?.errors }, { requests: 1, errors: 1 });
    writeFileSync(proxy.file, original);
    proxy.proxy.reload();
  });

  it('records a flip through the admin API with the actor the caller names', async () => {
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ target: 'new' }), headers: { 'content-type': 'application/json', 'x-strangler-actor': 'console:admin' } });
    assert.equal(res.status, 200);
    await res.text();
    const history = (await (await proxy.admin('history?route=users&limit=5')).json()) as { entries: HistoryEntry[] };
    const entry = history.entries[0];
    assert.ok(entry);
    assert.equal(entry.change, 'target legacy → new');
    assert.deepEqual(entry.actor, { kind: 'console', name: 'admin' });
    assert.deepEqual(entry.from, { target: 'legacy', canary: null });
    assert.deepEqual(entry.to, { target: 'new', canary: null });
    assert.ok(!Number.isNaN(Date.parse(entry.at)));
  });

  it('records a hand edit of routes.yaml as a file edit, and answers newest first', async () => {
    writeFileSync(proxy.file, readFileSync(proxy.file, 'utf8').replace(/(name: mcp\n.*\n {4}target: )legacy/, '$1new'));
    proxy.proxy.reload();
    const entries = await waitFor(async () => {
      const body = (await (await proxy.admin('history')).json()) as { entries: HistoryEntry[] };
      return body.entries.some((e) => e.route === 'mcp' && e.change === 'target legacy → new') ? body.entries : undefined;
    }, 'the file edit in the history');
    const mcp = entries.find((e) => e.route === 'mcp' && e.change === 'target legacy → new');
    assert.deepEqual(mcp?.actor, { kind: 'file-edit', name: 'routes.yaml' });
    assert.ok(entries.map((e) => Date.parse(e.at)).every((at, i, ats) => i === 0 || at <= (ats[i - 1] as number)), 'newest first');
    const bad = await proxy.admin('history?limit=0');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /limit must be a whole number from 1 to 1000/);
  });
});
