import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTraffic } from './traffic.js';

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

/**
 * A bare HTTP/1.1 server that answers the first `answered` requests of each connection and
 * resets the connection (RST) on the next one, as a server does that closes an idle
 * keep-alive connection just as a request arrives on it.
 */
async function resettingServer(answered: number): Promise<string> {
  const server = createServer((socket: Socket) => {
    let seen = 0;
    socket.on('data', (chunk) => {
      for (const _ of chunk.toString('latin1').matchAll(/\r\n\r\n/g)) {
        seen += 1;
        if (seen > answered) {
          socket.resetAndDestroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}');
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

async function run(base: string): Promise<ReturnType<typeof startTraffic>['counts']> {
  const traffic = startTraffic({ base, cookie: 'connect.sid=x', rate: 20, paths: ['/users'], wsClients: 0, wsEveryMs: 250, wsLifetimeMs: 20_000 });
  await sleep(600);
  await traffic.stop();
  return traffic.counts;
}

describe('soak traffic', () => {
  it('resends once a request whose reused keep-alive connection was reset, and counts it apart', async () => {
    const counts = await run(await resettingServer(1));
    assert.ok(counts.requests >= 5, `${counts.requests} requests`);
    assert.equal(counts.failed, 0, counts.failures.join('; '));
    // Each connection answers once: every other request met a reset connection (its resend
    // goes out on a connection of its own, and the next request opens a new one).
    assert.ok(counts.resent >= 2 && counts.resent <= counts.requests / 2, `${counts.resent} of ${counts.requests} resent`);
  });

  it('counts a reset on a new connection as a failure', async () => {
    const counts = await run(await resettingServer(0));
    assert.ok(counts.requests >= 5, `${counts.requests} requests`);
    assert.equal(counts.failed, counts.requests);
    assert.equal(counts.resent, 0);
    assert.match(counts.failures[0] ?? '', /GET \/users: read ECONNRESET/);
  });
});
