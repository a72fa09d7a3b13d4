import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { rawGet, rawUpgrade } from '../../test/kit/proxy/raw-http.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

const KEY = 'adapter-paths-test-key-0123456789abcdef0123';

describe('the legacy adapter\'s paths through the proxy', () => {
  let shop: EchoBackend;
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  const yaml = (shopPath: string) => [
    'version: 1',
    'backends:',
    '  legacy:',
    `    url: ${legacy.url}`,
    '    auth: session',
    '  shop:',
    `    url: ${shop.url}`,
    '    auth: session',
    `    session: { cookie: shop.sid, source: adapter, adapter: { key: "${KEY}", path: ${shopPath} } }`,
    '  new:',
    `    url: ${next.url}`,
    '    auth: jwt',
    'default: legacy',
    'routes:',
    '  - name: shop',
    '    paths: ["/shop/**", "/internal/**"]',
    '    target: shop',
    '  - name: api',
    '    paths: ["/api/**", "/__strangler/**"]',
    '    target: new',
    '',
  ].join('\n');

  before(async () => {
    legacy = await startEchoBackend('legacy');
    shop = await startEchoBackend('shop');
    next = await startEchoBackend('new');
    proxy = await startProxy('version: 1\nbackends: { legacy: { url: "http://127.0.0.1:1", auth: session } }\ndefault: legacy\nroutes: []\n');
    writeFileSync(proxy.file, yaml('/internal/strangler'));
    assert.equal(proxy.proxy.reload({ force: true }).ok, true);
  });
  after(async () => {
    await proxy.close();
    await Promise.all([legacy.close(), shop.close(), next.close()]);
  });

  const seen = () => legacy.requests.length + shop.requests.length + next.requests.length;

  it('answers 404 itself for the configured path and the default one, on every route and in any case', async () => {
    const before = seen();
    for (const path of ['/internal/strangler/session', '/internal/strangler', '/Internal/STRANGLER/login', '//internal//strangler/logout?x=1', '/__strangler/session', '/__Strangler/touch', '/%5F%5Fstrangler/session']) {
      const res = await rawGet(proxy.port, path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.json, { error: 'Not found' }, path);
      assert.equal(res.headers['x-backend'], 'proxy', path);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${proxy.url}/internal/strangler/login`, { method, body: '{"sub":"1"}', headers: { 'content-type': 'application/json', 'x-strangler-adapter-key': KEY } });
      assert.equal(res.status, 404, method);
    }
    assert.equal(seen(), before, 'no backend saw any of them');
  });

  it('still forwards the paths beside them', async () => {
    const res = await rawGet(proxy.port, '/internal/stranglerish');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-backend'], 'shop');
    assert.equal((await rawGet(proxy.port, '/shop/__strangler')).headers['x-backend'], 'shop');
  });

  it('refuses WebSocket upgrades to them with 404, and upgrades others', async () => {
    for (const path of ['/internal/strangler/session', '/__strangler/ws']) {
      const answer = await rawUpgrade(proxy.port, path);
      assert.match(answer, /^HTTP\/1\.1 404 /, path);
      assert.match(answer, /\{"error":"Not found"\}$/, path);
    }
    const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/internal/ws`);
    assert.equal(socket.hello.hello, 'shop');
    socket.close();
  });

  it('follows a reload that moves the adapter: the new path is refused, the old one forwarded', async () => {
    writeFileSync(proxy.file, yaml('/internal/adapter'));
    assert.equal(proxy.proxy.reload({ force: true }).ok, true);
    assert.equal((await rawGet(proxy.port, '/internal/adapter/session')).status, 404);
    const old = await rawGet(proxy.port, '/internal/strangler/session');
    assert.equal(old.status, 200);
    assert.equal(old.headers['x-backend'], 'shop');
    writeFileSync(proxy.file, yaml('/internal/strangler'));
    assert.equal(proxy.proxy.reload({ force: true }).ok, true);
  });
});
