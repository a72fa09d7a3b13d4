import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, type RunningServer } from '../../test/kit/server.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { waitFor } from '../../test/kit/index.js';
import type { TeedBody } from '../src/tee-stream.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const CHUNKS = 512; // 32 MiB

describe('proxy body streaming', () => {
  let backend: RunningServer;
  let proxy: RunningProxy;
  /** Bytes the backend has handed to its socket so far, for the answer in flight. */
  let written = 0;
  const tees: Array<Promise<TeedBody>> = [];

  before(async () => {
    backend = await startServer((req, res) => {
      req.resume();
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(CHUNK.length * CHUNKS) });
        let sent = 0;
        const more = () => {
          while (sent < CHUNKS) {
            sent += 1;
            written += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('small');
    });
    proxy = await startProxy(routesYaml({ backends: { legacy: { url: backend.url } }, default: 'legacy', routes: [] }), {
      extensions: [{ name: 'tee', beforeForward(ctx) { if (ctx.path === '/teed') tees.push(ctx.teeRequestBody(1024)); } }],
    });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('sends a large answer at the client\'s pace: the backend waits while the client does not read, and every byte arrives', async () => {
    written = 0;
    const { res, done } = await new Promise<{ res: IncomingMessage; done: Promise<number> }>((resolve, reject) => {
      request(`${proxy.url}/big`, (r) => {
        r.pause();
        let bytes = 0;
        const done = new Promise<number>((ok) => {
          r.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          r.on('end', () => ok(bytes));
        });
        r.pause();
        resolve({ res: r, done });
      }).on('error', reject).end();
    });
    assert.equal(res.statusCode, 200);
    // Not reading: the proxy's and the sockets' buffers fill, then the backend is held back.
    await waitFor(async () => {
      const before = written;
      await sleep(200);
      return written === before;
    }, 'the backend held back while the client does not read');
    assert.ok(written < CHUNK.length * CHUNKS / 2, `the backend wrote ${written} bytes to a client that read none`);
    res.resume();
    assert.equal(await done, CHUNK.length * CHUNKS);
  });

  it('forwards a request without a body that a hook tees: the tee ends empty and the answer arrives', async () => {
    const res = await fetch(`${proxy.url}/teed`);
    assert.equal(await res.text(), 'small');
    const teed = await tees[0];
    assert.deepEqual({ bytes: teed?.bytes, complete: teed?.complete }, { bytes: 0, complete: true });
  });
});
