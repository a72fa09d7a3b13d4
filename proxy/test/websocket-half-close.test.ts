import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createServer } from 'node:http';
import { startServer, type RunningServer } from '../../test/kit/index.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';

/**
 * A backend that accepts a WebSocket upgrade and then ends the connection (as a server does
 * after a close frame, e.g. 1009 for an oversized message) while the client keeps its side open.
 */
async function startClosingBackend(): Promise<RunningServer> {
  const server = createServer((_req, res) => res.end('ok'));
  server.on('upgrade', (_req, socket) => {
    socket.on('error', () => {});
    socket.resume(); // reads (and drops) what the client sends, as a WebSocket server would
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    setTimeout(() => socket.end(), 50);
  });
  return startServer(server);
}

/** A client that never half-closes on its own: it ignores the FIN and keeps its side open. */
function stubbornClient(port: number): Promise<{ socket: Socket; upgraded: Promise<void>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      socket.write('GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      let text = '';
      const upgraded = new Promise<void>((ok) => socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.startsWith('HTTP/1.1 101')) ok();
      }));
      const closed = new Promise<void>((ok) => socket.on('close', () => ok()));
      resolve({ socket, upgraded, closed });
    });
    socket.on('error', reject);
  });
}

describe('proxy WebSocket tunnels when the backend ends first', () => {
  let backend: RunningServer;
  let proxy: RunningProxy;

  before(async () => {
    backend = await startClosingBackend();
    proxy = await startProxy(routesYaml({ backends: { legacy: { url: backend.url } }, default: 'legacy', routes: [] }), {
      proxyOptions: { tunnelHalfCloseGraceMs: 200 },
    });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('closes the client side after a grace period instead of leaving it half-open for good', async () => {
    const client = await stubbornClient(proxy.port);
    await client.upgraded;
    const timer = setInterval(() => { if (!client.socket.destroyed) client.socket.write('still here'); }, 20);
    try {
      const outcome = await Promise.race([
        client.closed.then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still open'), 10_000)),
      ]);
      assert.equal(outcome, 'closed');
    } finally {
      clearInterval(timer);
      client.socket.destroy();
    }
  });
});
