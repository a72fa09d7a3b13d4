import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { pino } from 'pino';
import { createProxy } from '../src/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

/** A GET with the Host header we choose (fetch would not let us). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw WebSocket handshake with the Host and Origin we choose; resolves with the status line. */
function upgradeWithHost(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(text.slice(0, text.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
  });
}

describe('proxy Host check', () => {
  let backend: EchoBackend;
  let proxy: RunningProxy;

  before(async () => {
    backend = await startEchoBackend('legacy');
    proxy = await startProxy(routesYaml({ backends: { legacy: { url: backend.url } }, default: 'legacy', routes: [] }), { proxyOptions: { publicHosts: ['app.example.com'] } });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  for (const host of ['localhost', '127.0.0.1', '[::1]', 'app.example.com']) {
    it(`forwards a request for ${host}`, async () => {
      const res = await getWithHost(proxy.port, '/page', `${host}:${proxy.port}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-backend'], 'legacy');
    });
  }

  it('answers 421 with the contract error to any other Host, and forwards nothing', async () => {
    const before = backend.requests.length;
    const res = await getWithHost(proxy.port, '/auth/login', `evil.example:${proxy.port}`);
    assert.equal(res.status, 421);
    assert.deepEqual(JSON.parse(res.body), { error: 'Misdirected Request: this host name is not served here; add it to PUBLIC_HOSTS' });
    assert.equal(res.headers['x-backend'], 'proxy');
    assert.equal(backend.requests.length, before);
  });

  it('refuses a WebSocket upgrade whose Host and Origin are another site (DNS rebinding), and opens no tunnel', async () => {
    const opened = backend.wsConnections();
    assert.equal(await upgradeWithHost(proxy.port, 'evil.example'), 'HTTP/1.1 421 Misdirected Request');
    assert.equal(backend.wsConnections(), opened);
  });

  it('still upgrades for a loopback name', async () => {
    const socket = await openSocket(`ws://localhost:${proxy.port}/ws`);
    assert.equal(socket.hello.hello, 'legacy');
    socket.close();
  });

  it('keeps /__proxy/health open for probes that use an IP or a service name', async () => {
    for (const host of ['10.1.2.3:5634', 'proxy:5634']) {
      const res = await getWithHost(proxy.port, '/__proxy/health', host);
      assert.equal(res.status, 200, host);
    }
  });

  it('never forwards /__strangler/ (the legacy adapter answers the proxy only)', async () => {
    const before = backend.requests.length;
    for (const path of ['/__strangler', '/__strangler/session', '/__STRANGLER/login', '//__strangler//login?x=1']) {
      const res = await getWithHost(proxy.port, path, `localhost:${proxy.port}`);
      assert.equal(res.status, 404, path);
      assert.deepEqual(JSON.parse(res.body), { error: 'Not found' });
    }
    assert.equal(backend.requests.length, before);
  });

  it('refuses to start with a bad PUBLIC_HOSTS, naming the entry', async () => {
    const created = createProxy({ routesFile: proxy.file, adminToken: 'x'.repeat(32), env: { PUBLIC_HOSTS: 'https://app.example.com' } }, { logger: pino({ level: 'silent' }) });
    assert.equal(created.ok, false);
    assert.match(created.ok ? '' : created.errors.join('\n'), /PUBLIC_HOSTS: "https:\/\/app\.example\.com" is not a host name/);
  });

  it('takes PUBLIC_HOSTS from the environment it is given', async () => {
    const created = createProxy({ routesFile: proxy.file, adminToken: 'x'.repeat(32), env: { PUBLIC_HOSTS: 'shop.example' } }, { logger: pino({ level: 'silent' }) });
    assert.ok(created.ok);
    await created.proxy.close();
  });
});
