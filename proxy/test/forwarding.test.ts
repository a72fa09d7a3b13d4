import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { rawGet } from '../../test/kit/proxy/raw-http.js';
import { waitFor } from '../../test/kit/index.js';

describe('proxy forwarding', () => {
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
        { name: 'users', paths: ['/users', '/users/**'], target: 'new' },
        { name: 'writes', paths: ['/things/**'], methods: ['POST'], target: 'new' },
      ],
    }));
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it('sends /users/7 to new when users targets new, with the query kept', async () => {
    const res = await fetch(`${proxy.url}/users/7?x=1&y=2`);
    const echo = (await res.json()) as Echo;
    assert.equal(res.status, 200);
    assert.equal(echo.backend, 'new');
    assert.equal(echo.url, '/users/7?x=1&y=2');
    assert.equal(res.headers.get('x-backend'), 'new');
  });

  it('sends what no route matches to the default backend', async () => {
    const res = await fetch(`${proxy.url}/index.html`);
    assert.equal(((await res.json()) as Echo).backend, 'legacy');
    assert.equal(res.headers.get('x-backend'), 'legacy');
  });

  it('honours a route method filter: POST /things/1 to new, GET /things/1 to the default', async () => {
    const post = await fetch(`${proxy.url}/things/1`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    const postEcho = (await post.json()) as Echo;
    assert.equal(postEcho.backend, 'new');
    assert.equal(postEcho.body, 'hello', 'the request body is streamed through');
    const get = await fetch(`${proxy.url}/things/1`);
    assert.equal(((await get.json()) as Echo).backend, 'legacy');
  });

  it('forwards the normalised path (dot segments and double slashes resolved)', async () => {
    const echo = (await rawGet(proxy.port, '/users//7/./profile?q=1')).json as Echo;
    assert.equal(echo.url, '/users/7/profile?q=1');
    assert.equal(echo.backend, 'new');
  });

  for (const hostile of ['/users/../admin', '/users/%2e%2e/admin', '/users%2fadmin', '/users/%5cadmin', '/a\\b', '/users/%00']) {
    it(`answers 400 {"error":"Bad Request"} to the hostile path ${hostile} and forwards nothing`, async () => {
      const before = legacy.requests.length + next.requests.length;
      const res = await rawGet(proxy.port, hostile);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { error: 'Bad Request' });
      assert.equal(legacy.requests.length + next.requests.length, before);
    });
  }

  it('strips client-supplied identity headers, sets X-Forwarded-* itself and passes Authorization untouched', async () => {
    const res = await fetch(`${proxy.url}/users/1`, {
      headers: {
        'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'for=6.6.6.6',
        'x-user-id': '1', 'x-user-role': 'admin', 'x-backend': 'legacy', 'x-shadow-request': '1',
        'x-auth-token': 'forged', 'x-auth-logout': '1', authorization: 'Bearer client-own-token', cookie: 'a=b',
      },
    });
    const { headers } = (await res.json()) as Echo;
    for (const name of ['x-user-id', 'x-user-role', 'x-backend', 'x-shadow-request', 'x-auth-token', 'x-auth-logout', 'forwarded']) {
      assert.equal(headers[name], undefined, `${name} must not reach the backend`);
    }
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], `127.0.0.1:${proxy.port}`);
    assert.equal(headers.authorization, 'Bearer client-own-token');
    assert.equal(headers.cookie, 'a=b');
  });

  it('keeps a sane X-Request-Id end to end and replaces an insane one', async () => {
    const kept = await fetch(`${proxy.url}/users/1`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers.get('x-request-id'), 'abc-123');
    assert.equal(((await kept.json()) as Echo).headers['x-request-id'], 'abc-123');

    const long = 'x'.repeat(129);
    const replaced = await fetch(`${proxy.url}/users/1`, { headers: { 'x-request-id': long } });
    const id = replaced.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(((await replaced.json()) as Echo).headers['x-request-id'], id);

    const generated = await fetch(`${proxy.url}/`);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    await generated.body?.cancel();
  });

  it('strips X-Auth-Token / X-Auth-Logout from responses, overrides a backend X-Backend, keeps multiple Set-Cookie', async () => {
    const res = await fetch(`${proxy.url}/users/headers-out`);
    await res.body?.cancel();
    assert.equal(res.headers.get('x-auth-token'), null);
    assert.equal(res.headers.get('x-auth-logout'), null);
    assert.equal(res.headers.get('x-backend'), 'new');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/']);
  });

  it('passes statuses through (a 404 of the backend is the backend\'s 404)', async () => {
    const res = await fetch(`${proxy.url}/missing`);
    await res.body?.cancel();
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-backend'), 'legacy');
  });

  it('streams a response as the backend writes it', async () => {
    const res = await fetch(`${proxy.url}/stream?chunks=5`);
    assert.equal(await res.text(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  });

  it('logs one line per proxied request with method, path, route, backend, status, ms and request id', async () => {
    const res = await fetch(`${proxy.url}/users/42`, { headers: { 'x-request-id': 'log-me-42' } });
    await res.body?.cancel();
    const line = await waitFor(() => proxy.logs.find((l) => l.reqId === 'log-me-42' && l.status !== undefined), 'the log line of log-me-42');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/users/42');
    assert.equal(line.route, 'users');
    assert.equal(line.backend, 'new');
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, 'number');
  });
});
