import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startServer, tempDir, type RunningServer } from '../../../../test/kit/index.js';
import { openDiffStore } from '../store/diff-store.js';
import type { MirrorJob } from './shadow-job.js';
import { startShadowThread, type ShadowThreadOptions } from './shadow-thread.js';

const json = { 'content-type': 'application/json; charset=utf-8' };
const users = [{ id: 1, email: 'a@x.io', created_at: '1' }, { id: 2, email: 'b@x.io', created_at: '2' }];
const changed = [{ id: 1, email: 'a@x.io', created_at: '9' }, { id: 2, email: 'B@x.io', created_at: '8' }];

/** The shadow backend: answers `changed` on /changed, `users` elsewhere, and records what it was sent. */
let shadow: RunningServer;
const seen: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];

before(async () => {
  shadow = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, json);
      res.end(JSON.stringify(req.url === '/changed' ? changed : users));
    });
  });
});
after(() => shadow.close());

const dir = tempDir('shadow-thread-');
after(() => dir.cleanup());
let files = 0;
/** A thread on a diffs.db of its own. */
const start = (over: Partial<ShadowThreadOptions> = {}) => {
  const diffsPath = dir.file(`diffs-${files++}.db`);
  return { diffsPath, thread: startShadowThread({ diffsPath, ...over }) };
};

function job(path: string, primary: unknown, over: Partial<MirrorJob> = {}): MirrorJob {
  return {
    request: { route: 'users', method: 'GET', pathAndSearch: path, requestId: 'r1', contentType: undefined, primaryBackend: 'legacy', shadowBackend: 'new' },
    diff: {},
    primaryAnswer: { status: 200, headers: json, body: Buffer.from(JSON.stringify(primary)) },
    primaryMs: 1.5,
    copy: { origin: shadow.url, headers: { authorization: 'Bearer copy-token', 'x-shadow-request': '1' } },
    probe: undefined,
    timeoutMs: 5000,
    requestBody: Buffer.alloc(0),
    maxBodyBytes: 1 << 20,
    at: Date.parse('2026-01-01T00:00:00Z'),
    ...over,
  };
}

/** Nice values of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
}

describe('shadow thread', () => {
  it('sends the copy with the headers it was given, compares (ignores applied), and writes diffs.db itself', async () => {
    // A batch that never flushes by itself: on a busy machine the default 100 ms can pass
    // between two lines of the test, and the rows would be written before it looks.
    const { thread, diffsPath } = start({ storeOptions: { flushMs: 600_000 } });
    const store = openDiffStore(diffsPath);
    try {
      seen.length = 0;
      const c = await thread.mirror(job('/changed', users, { diff: { ignore: ['created_at'] } }));
      assert.equal(c.kind, 'mismatched');
      assert.deepEqual(c.differences?.map((d) => d.path), ['$[1].email']);
      assert.deepEqual(seen.map((s) => [s.path, s.headers.authorization, s.headers['x-shadow-request']]), [['/changed', 'Bearer copy-token', '1']]);
      assert.equal((await thread.mirror(job('/users', users))).kind, 'matched');
      await thread.count('users', 'dropped');
      assert.equal(store.summary().routes.length, 0, 'rows wait for their batch');
      await thread.flush();
      const [row] = store.summary().routes;
      assert.deepEqual([row?.shadowed, row?.matched, row?.dropped], [2, 1, 1]);
      const [mismatch] = store.mismatches('users');
      assert.equal(mismatch?.exchange.primary.body, JSON.stringify(users));
      assert.equal(mismatch?.exchange.shadow.status, 200);
    } finally {
      await thread.close();
      store.close();
    }
  });

  it('a mismatch is judged on the proxy side: raced is recorded apart and keeps no exchange', async () => {
    const { thread, diffsPath } = start();
    const store = openDiffStore(diffsPath);
    try {
      const asked: number[] = [];
      const raced = await thread.mirror(job('/changed', users), (ago) => asked.push(ago) > 0);
      assert.equal(raced.kind, 'raced');
      assert.equal(asked.length, 1);
      assert.ok((asked[0] ?? -1) >= 0 && (asked[0] ?? Infinity) < 5000, `answered ${asked[0]} ms ago`);
      assert.equal((await thread.mirror(job('/changed', users), () => false)).kind, 'mismatched');
      let judged = 0;
      assert.equal((await thread.mirror(job('/users', users), () => ++judged > 0)).kind, 'matched');
      assert.equal(judged, 0, 'a match needs no verdict');
      await thread.flush();
      const [row] = store.summary().routes;
      assert.deepEqual([row?.shadowed, row?.matched, row?.mismatched, row?.raced], [3, 1, 1, 1]);
      assert.equal(store.mismatches('users').length, 1, 'only the real mismatch keeps its exchange');
    } finally {
      await thread.close();
      store.close();
    }
  });

  it('warm starts the thread before any copy and resolves once it answers', async () => {
    const { thread } = start();
    try {
      assert.equal(thread.running(), false);
      await thread.warm();
      assert.equal(thread.running(), true);
    } finally {
      await thread.close();
    }
  });

  it('close writes the rows still waiting for their batch', async () => {
    const { thread, diffsPath } = start({ storeOptions: { flushMs: 60_000 } });
    await thread.mirror(job('/users', users));
    await thread.close();
    const store = openDiffStore(diffsPath);
    assert.equal(store.summary().routes[0]?.matched, 1);
    store.close();
  });

  it('a request body reaches the shadow backend; a dead backend is an error row naming the kind', async () => {
    const { thread } = start();
    try {
      seen.length = 0;
      const body = Buffer.from('{"name":"x"}');
      await thread.mirror(job('/users', users, { request: { ...job('/users', users).request, method: 'POST' }, requestBody: body }));
      assert.deepEqual(seen.map((s) => s.body), ['{"name":"x"}']);
      const gone = await startServer((_req, res) => res.end());
      await gone.close();
      const c = await thread.mirror(job('/users', users, { copy: { origin: gone.url, headers: {} } }));
      assert.deepEqual([c.kind, c.error], ['error', 'refused']);
    } finally {
      await thread.close();
    }
  });

  it('a thread that dies fails the copy it held, and the next one starts a fresh thread', async () => {
    const { thread } = start();
    try {
      // Options the proxy would have refused: the thread throws outside any copy and exits.
      await assert.rejects(thread.mirror(job('/users', users, { diff: { ignore: ['$[?bad'] } })), /the shadow thread failed: diff options refused/);
      assert.equal((await thread.mirror(job('/changed', users))).kind, 'mismatched');
    } finally {
      await thread.close();
    }
  });

  it('after close, waiting copies reject and a new copy starts a new thread', async () => {
    const { thread } = start();
    const rejected = assert.rejects(thread.mirror(job('/users', users)), /closed/);
    await thread.close();
    await rejected;
    assert.equal((await thread.mirror(job('/users', users))).kind, 'matched');
    await thread.close();
  });

  it('runs at nice 10 on Linux, and the rest of the process keeps its own priority', { skip: process.platform !== 'linux' }, async () => {
    const before = threadNices();
    const { thread } = start();
    const level = start({ nice: 0 }).thread;
    try {
      await thread.mirror(job('/users', users));
      await level.mirror(job('/users', users));
      const now = threadNices();
      assert.equal(now.filter((n) => n === 10).length, before.filter((n) => n === 10).length + 1, `thread nice values: ${now.join(' ')}`);
      assert.ok(now.filter((n) => n === 0).length >= before.filter((n) => n === 0).length + 1, `thread nice values: ${now.join(' ')}`);
    } finally {
      await thread.close();
      await level.close();
    }
  });
});
