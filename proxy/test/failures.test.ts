import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer } from '../../test/kit/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startResettingBackend, type ResettingBackend } from '../../test/kit/proxy/resetting-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';

async function closedPortUrl(): Promise<string> {
  const s = await startServer(createServer());
  await s.close();
  return s.url;
}

async function metric(proxy: RunningProxy, line: RegExp): Promise<number> {
  const text = await (await proxy.admin('metrics')).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.slice(found.lastIndexOf(' ') + 1)) : 0;
}

describe('proxy failures', () => {
  let echo: EchoBackend;
  let resetting: ResettingBackend;
  let proxy: RunningProxy;

  before(async () => {
    echo = await startEchoBackend('legacy');
    resetting = await startResettingBackend();
    proxy = await startProxy(routesYaml({
      backends: {
        legacy: { url: echo.url },
        slow: { url: echo.url, timeoutMs: 300 },
        down: { url: await closedPortUrl() },
        flaky: { url: resetting.url },
      },
      default: 'legacy',
      routes: [
        { name: 'slow', paths: ['/slow/**'], target: 'slow' },
        { name: 'down', paths: ['/down/**'], target: 'down' },
        { name: 'flaky', paths: ['/flaky/**'], target: 'flaky' },
      ],
    }));
  });
  after(async () => {
    await proxy.close();
    await echo.close();
    await resetting.close();
  });

  it('answers 502 {"error":"Bad Gateway"} when the backend is down, and counts it as refused', async () => {
    const res = await fetch(`${proxy.url}/down/x`);
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { error: 'Bad Gateway' });
    assert.equal(res.headers.get('x-backend'), 'down');
    assert.ok(res.headers.get('x-request-id'));
    assert.equal(await metric(proxy, /^proxy_upstream_errors_total\{backend="down",kind="refused"\}/), 1);
  });

  it('answers 504 {"error":"Gateway Timeout"} when the backend misses its timeout_ms, and counts it', async () => {
    const res = await fetch(`${proxy.url}/slow/slow?ms=5000`);
    assert.equal(res.status, 504);
    assert.deepEqual(await res.json(), { error: 'Gateway Timeout' });
    assert.equal(res.headers.get('x-backend'), 'slow');
    assert.equal(await metric(proxy, /^proxy_upstream_errors_total\{backend="slow",kind="timeout"\}/), 1);
  });

  it('lets a backend answer within its timeout', async () => {
    const res = await fetch(`${proxy.url}/slow/slow?ms=10`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it('survives a backend dying in the middle of a streamed response, and keeps serving', async () => {
    const res = await fetch(`${proxy.url}/die`);
    assert.equal(res.status, 200, 'headers were already out');
    await assert.rejects(res.text(), 'the cut response must reach the client as an error, not as a complete body');
    const after = await fetch(`${proxy.url}/still-alive`);
    assert.equal(after.status, 200);
    assert.equal(((await after.json()) as { backend: string }).backend, 'legacy');
    assert.equal(await metric(proxy, /^proxy_upstream_errors_total\{backend="legacy",kind="reset"\}/), 1);
  });

  it('survives a client that leaves in the middle of a streamed response', async () => {
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/stream?chunks=200`, { signal: controller.signal });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    const after = await fetch(`${proxy.url}/after-abort`);
    assert.equal(after.status, 200);
    await after.body?.cancel();
  });

  it('retries a GET once when a reused keep-alive socket is reset before any answer byte', async () => {
    const first = await fetch(`${proxy.url}/flaky/a`);
    assert.equal(first.status, 200);
    await first.json();
    const connectionsBefore = resetting.connections();
    const second = await fetch(`${proxy.url}/flaky/b`);
    assert.equal(second.status, 200, 'the reset reused socket is retried on a fresh connection');
    assert.equal(((await second.json()) as { method: string }).method, 'GET');
    assert.equal(resetting.connections(), connectionsBefore + 1);
    assert.equal(await metric(proxy, /^proxy_upstream_retries_total\{backend="flaky"\}/), 1);
  });

  it('does not retry a POST on the same reset: 502, sent once', async () => {
    const warm = await fetch(`${proxy.url}/flaky/c`);
    await warm.json();
    const answeredBefore = resetting.answered();
    const connectionsBefore = resetting.connections();
    const retriesBefore = await metric(proxy, /^proxy_upstream_retries_total\{backend="flaky"\}/);
    const res = await fetch(`${proxy.url}/flaky/d`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { error: 'Bad Gateway' });
    assert.equal(resetting.answered(), answeredBefore, 'no second attempt was answered');
    assert.equal(resetting.connections(), connectionsBefore, 'no second connection was opened');
    assert.equal(await metric(proxy, /^proxy_upstream_retries_total\{backend="flaky"\}/), retriesBefore);
  });
});
