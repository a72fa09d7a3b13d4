import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { teeStream } from './tee-stream.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }), text: () => Buffer.concat(chunks).toString() };
}

describe('teeStream', () => {
  it('copies a bounded prefix while the pipe still gets every byte', async () => {
    const source = new PassThrough();
    const copy = teeStream(source, 5);
    const out = sink();
    source.write('hello ');
    source.write('world');
    source.end();
    await new Promise((r) => setImmediate(r));
    await pipeline(source, out.stream);
    assert.equal(out.text(), 'hello world');
    const teed = await copy;
    assert.equal(teed.body.toString(), 'hello');
    assert.equal(teed.truncated, true);
    assert.equal(teed.bytes, 11);
    assert.equal(teed.complete, true);
  });

  it('does not start the flow: data written before the pipe is not lost', async () => {
    const source = new PassThrough();
    const copy = teeStream(source, 1024);
    source.end('early');
    await new Promise((r) => setTimeout(r, 20));
    const out = sink();
    await pipeline(source, out.stream);
    assert.equal(out.text(), 'early');
    assert.equal((await copy).body.toString(), 'early');
  });

  it('reports an aborted stream as incomplete', async () => {
    const source = new PassThrough();
    const copy = teeStream(source, 1024);
    source.resume();
    source.write('part');
    source.destroy();
    const teed = await copy;
    assert.equal(teed.complete, false);
  });
});
