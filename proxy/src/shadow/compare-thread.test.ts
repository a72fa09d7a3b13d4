import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareJob } from './compare-job.js';
import { startCompareThread } from './compare-thread.js';

const json = { 'content-type': 'application/json; charset=utf-8' };

function job(primary: unknown, shadow: unknown, diff: CompareJob['diff'] = {}): CompareJob {
  return {
    request: { route: 'users', method: 'GET', pathAndSearch: '/users', requestId: 'r1', contentType: undefined, primaryBackend: 'legacy', shadowBackend: 'new' },
    diff,
    primaryAnswer: { status: 200, headers: json, body: Buffer.from(JSON.stringify(primary)) },
    primaryMs: 1.5,
    shadowResult: { ok: true, answer: { status: 200, headers: json, body: Buffer.from(JSON.stringify(shadow)) }, ms: 2.5 },
    probeResult: undefined,
    requestBody: Buffer.alloc(0),
    maxBodyBytes: 1 << 20,
    at: Date.parse('2026-01-01T00:00:00Z'),
  };
}

describe('comparison thread', () => {
  it('compares on its own thread: differences with their paths, ignores applied', async () => {
    const thread = startCompareThread(() => []);
    try {
      const users = [{ id: 1, email: 'a@x.io', created_at: '1' }, { id: 2, email: 'b@x.io', created_at: '2' }];
      const changed = [{ id: 1, email: 'a@x.io', created_at: '9' }, { id: 2, email: 'B@x.io', created_at: '8' }];
      const c = await thread.compare(job(users, changed, { ignore: ['created_at'] }));
      assert.ok(c.kind === 'mismatched');
      assert.deepEqual(c.record.differences.map((d) => d.path), ['$[1].email']);
      assert.equal(c.record.exchange?.primary.body, JSON.stringify(users));
      const same = await thread.compare(job(users, users));
      assert.equal(same.kind, 'matched');
    } finally {
      await thread.close();
    }
  });

  it('a thread that dies fails the comparison it held, and the next one starts a fresh thread', async () => {
    const thread = startCompareThread(() => []);
    try {
      // Options the proxy would have refused: the thread throws outside any comparison and exits.
      await assert.rejects(thread.compare(job({ a: 1 }, { a: 1 }, { ignore: ['$[?bad'] })), /the comparison thread failed: diff options refused/);
      const c = await thread.compare(job({ a: 1 }, { a: 2 }));
      assert.equal(c.kind, 'mismatched');
    } finally {
      await thread.close();
    }
  });

  it('after close, waiting comparisons reject and a new comparison starts a new thread', async () => {
    const thread = startCompareThread(() => []);
    const rejected = assert.rejects(thread.compare(job({ a: 1 }, { a: 1 })), /closed/);
    await thread.close();
    await rejected;
    const c = await thread.compare(job({ a: 1 }, { a: 1 }));
    assert.equal(c.kind, 'matched');
    await thread.close();
  });
});
