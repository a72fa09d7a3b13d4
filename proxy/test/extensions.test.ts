import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { startServer, waitFor } from '../../test/kit/index.js';
import { teeStream, type ForwardContext, type ForwardOutcome, type ProxyExtension, type TeedBody } from '../src/index.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

describe('extension seams', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  const finished: Array<{ ctx: ForwardContext; outcome: ForwardOutcome }> = [];
  const requestCopies = new Map<string, Promise<TeedBody>>();
  const responseCopies = new Map<string, Promise<TeedBody>>();

  // What the session bridge will do: add a bearer token on the way in, turn a backend's
  // token into a cookie on the way out (after an async check).
  const bridge: ProxyExtension = {
    name: 'bridge-like',
    async beforeForward(ctx) {
      await sleep(1);
      if (ctx.path.startsWith('/refuse')) {
        ctx.res?.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"refused by hook"}');
        return;
      }
      if (ctx.path.startsWith('/broken')) throw new Error('a bug in a hook');
      if (ctx.backend.auth === 'jwt') ctx.req.headers.authorization = `Bearer minted-for-${ctx.routeName}`;
      delete ctx.req.headers['x-drop-me'];
    },
    async onResponseHeaders(ctx, upstream) {
      if (ctx.path.endsWith('/explode')) throw new Error('a bug in a response hook');
      const token = upstream.headers['x-auth-token'];
      await sleep(1);
      if (token) upstream.headers['set-cookie'] = [...(upstream.headers['set-cookie'] ?? []), `bridged=${String(token)}; Path=/`];
    },
  };
  // What shadow traffic will do: copy bodies (bounded) and hear about every outcome.
  const shadow: ProxyExtension = {
    name: 'shadow-like',
    beforeForward(ctx) {
      if (ctx.method === 'POST') requestCopies.set(ctx.requestId, ctx.teeRequestBody(1024));
    },
    onResponseHeaders(ctx, upstream) {
      responseCopies.set(ctx.requestId, teeStream(upstream.body, 1024 * 1024));
    },
    afterResponse(ctx, outcome) {
      finished.push({ ctx, outcome });
    },
  };

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    const gone = await startServer(createServer());
    await gone.close();
    proxy = await startProxy(routesYaml({
      backends: { legacy: { url: legacy.url }, new: { url: next.url, auth: 'jwt' }, down: { url: gone.url } },
      default: 'legacy',
      routes: [
        { name: 'users', paths: ['/users', '/users/**'], target: 'new' },
        { name: 'down', paths: ['/down/**'], target: 'down' },
      ],
    }), { extensions: [bridge, shadow] });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it('beforeForward edits the forwarded request headers (HTTP)', async () => {
    const echo = (await (await fetch(`${proxy.url}/users/1`, { headers: { 'x-drop-me': '1' } })).json()) as Echo;
    assert.equal(echo.headers.authorization, 'Bearer minted-for-users');
    assert.equal(echo.headers['x-drop-me'], undefined);
    const toLegacy = (await (await fetch(`${proxy.url}/page`)).json()) as Echo;
    assert.equal(toLegacy.headers.authorization, undefined, 'a session backend gets no token');
  });

  it('beforeForward edits the forwarded request headers (WebSocket upgrade)', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
    assert.equal(socket.hello.headers.authorization, 'Bearer minted-for-users');
    socket.close();
  });

  it('onResponseHeaders acts (asynchronously) before the client sees the answer; X-Auth-Token never reaches it', async () => {
    const res = await fetch(`${proxy.url}/users/headers-out`);
    await res.body?.cancel();
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/', 'bridged=secret-token; Path=/']);
    assert.equal(res.headers.get('x-auth-token'), null);
  });

  it('a hook may answer the request itself; nothing is forwarded', async () => {
    const before = legacy.requests.length;
    const res = await fetch(`${proxy.url}/refuse/x`);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'refused by hook' });
    assert.equal(legacy.requests.length, before);
  });

  it('a hook that throws gives a 500 and forwards nothing', async () => {
    const before = legacy.requests.length;
    const res = await fetch(`${proxy.url}/broken/x`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'Internal Server Error' });
    assert.equal(legacy.requests.length, before);
  });

  it('a response hook that throws gives a 500 with the contract body, and the proxy keeps serving', async () => {
    const res = await fetch(`${proxy.url}/users/explode`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'Internal Server Error' });
    const after = await fetch(`${proxy.url}/users/1`);
    assert.equal(after.status, 200);
    await after.body?.cancel();
  });

  it('a request body can be copied (bounded) while it streams through whole', async () => {
    const body = 'x'.repeat(300_000);
    const res = await fetch(`${proxy.url}/users/upload`, { method: 'POST', body, headers: { 'content-type': 'text/plain', 'x-request-id': 'tee-1' } });
    const echo = (await res.json()) as Echo;
    assert.equal(echo.body.length, body.length, 'the backend got every byte');
    const copy = await requestCopies.get('tee-1');
    assert.ok(copy);
    assert.equal(copy.body.length, 1024);
    assert.equal(copy.truncated, true);
    assert.equal(copy.bytes, body.length);
    const answer = await responseCopies.get('tee-1');
    assert.equal(answer?.body.toString(), JSON.stringify(echo), 'the response copy is what the client got');
  });

  it('afterResponse hears about every exchange: route, backend, status, request id, failures', async () => {
    await (await fetch(`${proxy.url}/users/7`, { headers: { 'x-request-id': 'after-1' } })).text();
    await (await fetch(`${proxy.url}/down/x`, { headers: { 'x-request-id': 'after-2' } })).text();
    const ok = await waitFor(() => finished.find((f) => f.ctx.requestId === 'after-1'), 'afterResponse for after-1');
    assert.equal(ok.ctx.routeName, 'users');
    assert.equal(ok.ctx.backend.name, 'new');
    assert.equal(ok.outcome.status, 200);
    assert.equal(ok.outcome.aborted, false);
    assert.equal(ok.outcome.failure, undefined);
    const failed = await waitFor(() => finished.find((f) => f.ctx.requestId === 'after-2'), 'afterResponse for after-2');
    assert.equal(failed.outcome.status, 502);
    assert.equal(failed.outcome.failure?.kind, 'refused');
  });
});
