import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

// Behind a TLS terminator (COOKIE_SECURE=true in main.ts) the browser's scheme is https: the
// legacy app's express-session (proxy: true) sets a Secure cookie only when told so.
describe('proxy behind a TLS terminator', () => {
  let legacy: EchoBackend;
  let proxy: RunningProxy;

  before(async () => {
    legacy = await startEchoBackend('legacy');
    proxy = await startProxy(routesYaml({ backends: { legacy: { url: legacy.url } }, default: 'legacy', routes: [] }), {
      proxyOptions: { behindTls: true },
    });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
  });

  it('says X-Forwarded-Proto: https to the backend, whatever the client claimed', async () => {
    const res = await fetch(`${proxy.url}/auth/me`, { headers: { 'x-forwarded-proto': 'gopher' } });
    const { headers } = (await res.json()) as Echo;
    assert.equal(headers['x-forwarded-proto'], 'https');
  });

  it('says so on WebSocket upgrades too', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/mcp/ws`);
    assert.equal(socket.hello.headers['x-forwarded-proto'], 'https');
    socket.close();
  });
});
