import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createServer } from 'node:http';
import { startServer } from '../../test/kit/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { rawUpgrade } from '../../test/kit/proxy/raw-http.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

describe('proxy WebSockets', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  let downUrl: string;
  const yaml = (usersTarget: string) => routesYaml({
    backends: { legacy: { url: legacy.url }, new: { url: next.url }, down: { url: downUrl } },
    default: 'legacy',
    routes: [
      { name: 'users', paths: ['/users', '/users/**'], target: usersTarget },
      { name: 'down', paths: ['/down/**'], target: 'down' },
    ],
  });

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    const gone = await startServer(createServer());
    await gone.close();
    downUrl = gone.url;
    proxy = await startProxy(yaml('new'));
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it('proxies a WebSocket that is the very first request the proxy sees', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/mcp/ws`);
    assert.equal(socket.hello.hello, 'legacy');
    assert.equal(await socket.roundTrip('ping'), 'legacy:ping');
    socket.close();
  });

  it('routes upgrades by the same table, both ways, with the header policy applied', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws?x=1`, { 'x-user-id': '1', 'x-forwarded-for': '6.6.6.6', 'x-request-id': 'ws-req-1' });
    assert.equal(socket.hello.hello, 'new');
    assert.equal(socket.hello.url, '/users/ws?x=1');
    assert.equal(socket.hello.headers['x-user-id'], undefined);
    assert.equal(socket.hello.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(socket.hello.headers['x-request-id'], 'ws-req-1');
    assert.equal(socket.upgradeHeaders['x-backend'], 'new');
    assert.equal(socket.upgradeHeaders['x-request-id'], 'ws-req-1');
    assert.equal(await socket.roundTrip('a'.repeat(100_000)), `new:${'a'.repeat(100_000)}`);
    socket.close();
  });

  it('refuses a hostile upgrade path with 400 and closes the socket', async () => {
    const answer = await rawUpgrade(proxy.port, '/users/%2e%2e/admin');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /\{"error":"Bad Request"\}$/);
  });

  it('never upgrades /__proxy/', async () => {
    const answer = await rawUpgrade(proxy.port, '/__proxy/routes');
    assert.match(answer, /^HTTP\/1\.1 404 /);
  });

  it('answers 502 to an upgrade whose backend is down', async () => {
    await assert.rejects(openSocket(`ws://127.0.0.1:${proxy.port}/down/ws`), (err: { status?: number; body?: string }) => {
      assert.equal(err.status, 502);
      assert.equal(err.body, '{"error":"Bad Gateway"}');
      return true;
    });
  });

  it('keeps open sockets where they are across a flip; new ones follow the new table', async () => {
    const before = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
    assert.equal(before.hello.hello, 'new');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(proxy.file, yaml('legacy'));
    const reloaded = proxy.proxy.reload();
    assert.ok(reloaded.ok && reloaded.changed);
    const after = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
    assert.equal(after.hello.hello, 'legacy');
    assert.equal(await before.roundTrip('still'), 'new:still', 'the open socket still talks to new');
    before.close();
    after.close();
    writeFileSync(proxy.file, yaml('new'));
    proxy.proxy.reload();
  });

  it('survives clients that vanish mid-handshake and keeps serving', async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(proxy.port, '127.0.0.1', () => {
          s.write('GET /users/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
          s.resetAndDestroy();
          resolve();
        });
        s.on('error', () => resolve());
      });
    }
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
    assert.equal(socket.hello.hello, 'new');
    socket.close();
    const res = await fetch(`${proxy.url}/users/1`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it('counts upgrades by route and backend', async () => {
    const text = await (await proxy.admin('metrics')).text();
    assert.match(text, /proxy_websocket_upgrades_total\{route="users",backend="new"\} [1-9]/);
    assert.match(text, /proxy_websocket_upgrades_total\{route="\(default\)",backend="legacy"\} 1/);
  });
});
