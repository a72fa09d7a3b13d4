import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, waitFor } from '../../../../test/kit/index.js';
import { openDiffStore, type DiffStore, type DiffStoreOptions } from './diff-store.js';
import type { DiffRecord } from './diff-record.js';
import { DIFF_SCHEMA } from './diff-schema.js';
import { openDiffReader } from './open-diff-reader.js';
import { openDatabase } from '../../../../lib/sqlite.js';

const dir = tempDir('diff-store-');
after(() => dir.cleanup());
let n = 0;
function open(options: DiffStoreOptions = {}): DiffStore {
  return openDiffStore(dir.file(`d${n++}.db`), { flushMs: 5, ...options });
}

function row(over: Partial<DiffRecord> = {}): DiffRecord {
  return {
    at: 1_000_000, route: 'users', method: 'GET', path: '/users', requestId: 'r1',
    primaryBackend: 'legacy', shadowBackend: 'new', primaryStatus: 200, shadowStatus: 200,
    match: true, differences: [], omitted: 0, primaryMs: 2, shadowMs: 4, error: undefined, ...over,
  };
}
const mismatch = (path: string, at = 1_000_000, extra: Partial<DiffRecord> = {}) => row({
  at, match: false, differences: [{ path, kind: 'changed', primary: 'a', shadow: 'b' }], ...extra,
});

describe('diff store', () => {
  it('summarises a route: counts, match rate, top paths, samples, errors', () => {
    const store = open();
    for (let i = 0; i < 6; i++) store.record(row({ at: 1_000_000 + i }));
    store.record(mismatch('$[2].email', 1_000_010));
    store.record(mismatch('$[5].email', 1_000_011));
    store.record(mismatch('$.name', 1_000_012, { differences: [{ path: '$.name', kind: 'changed' }, { path: '$[1].email', kind: 'type' }] }));
    store.record(row({ at: 1_000_013, match: false, error: 'timeout', shadowStatus: undefined }));
    store.count('users', 'dropped', 3);
    store.count('users', 'oversized');
    store.flush();
    const [users] = store.summary().routes;
    assert.ok(users);
    assert.equal(users.shadowed, 10);
    assert.equal(users.matched, 6);
    assert.equal(users.mismatched, 3);
    assert.equal(users.errors, 1);
    assert.deepEqual(users.errorKinds, { timeout: 1 });
    assert.equal(users.dropped, 3);
    assert.equal(users.oversized, 1);
    assert.equal(users.matchRate, 60);
    assert.deepEqual(users.topPaths, [{ path: '$[*].email', count: 3 }, { path: '$.name', count: 1 }]);
    assert.deepEqual(users.samples.map((s) => s.differences[0]?.path), ['$.name', '$[5].email', '$[2].email']);
    assert.equal(users.samples[1]?.requestId, 'r1');
    store.close();
  });

  it('filters by route and by time', () => {
    const store = open();
    store.record(row({ route: 'users', at: 1000 }));
    store.record(row({ route: 'mcp', at: 5000 }));
    store.record(mismatch('$.x', 9000, { route: 'mcp' }));
    store.flush();
    assert.deepEqual(store.summary().routes.map((r) => r.route), ['mcp', 'users']);
    assert.deepEqual(store.summary({ route: 'mcp' }).routes.map((r) => [r.route, r.shadowed]), [['mcp', 2]]);
    const later = store.summary({ since: 4000 });
    assert.deepEqual(later.routes.map((r) => [r.route, r.matchRate]), [['mcp', 50]]);
    assert.equal(later.since, new Date(4000).toISOString());
    store.close();
  });

  it('a route with only dropped copies has no match rate', () => {
    const store = open();
    store.count('mcp', 'dropped', 2);
    store.flush();
    assert.deepEqual(store.summary().routes.map((r) => [r.route, r.shadowed, r.dropped, r.matchRate]), [['mcp', 0, 2, null]]);
    store.close();
  });

  it('writes on its own, shortly after rows arrive', async () => {
    const path = dir.file('auto.db');
    const store = openDiffStore(path, { flushMs: 20 });
    const reader = openDiffStore(path);
    store.record(row());
    await waitFor(() => reader.summary().routes.length === 1, 'the reader to see the route');
    store.close();
    reader.close();
  });

  it('keeps the newest rows of each route and prunes the oldest in batches', () => {
    const store = open({ maxRowsPerRoute: 100 });
    for (let i = 0; i < 400; i++) store.record(row({ at: i, route: 'users', match: i % 2 === 0 }));
    for (let i = 0; i < 10; i++) store.record(row({ at: i, route: 'mcp' }));
    store.flush();
    const [mcp, users] = store.summary().routes;
    assert.equal(mcp?.shadowed, 10);
    assert.ok(users && users.shadowed >= 100 && users.shadowed <= 150, `kept ${users?.shadowed}`);
    assert.equal(store.summary({ since: 300 }).routes.find((r) => r.route === 'users')?.shadowed, 100);
    store.close();
  });

  it('keeps full exchanges of mismatches for export, newest first, bounded', () => {
    const store = open({ maxExchangesPerRoute: 2 });
    const exchange = (body: string) => ({
      request: { method: 'GET', path: '/users' },
      primary: { status: 200, headers: { 'content-type': 'application/json' }, body, encoding: 'utf8' as const },
      shadow: { status: 200, headers: { 'content-type': 'application/json' }, body: '{}', encoding: 'utf8' as const },
    });
    store.record(mismatch('$.a', 1, { exchange: exchange('{"a":1}') }));
    store.record(mismatch('$.a', 2, { exchange: exchange('{"a":2}') }));
    store.record(mismatch('$.a', 3, { exchange: exchange('{"a":3}') }));
    store.record(row({ at: 4, exchange: exchange('{"a":4}') }));
    store.flush();
    const found = store.mismatches('users');
    assert.deepEqual(found.map((m) => m.exchange.primary.body), ['{"a":3}', '{"a":2}']);
    assert.deepEqual(found[0]?.differences.map((d) => d.path), ['$.a']);
    assert.deepEqual(store.mismatches('mcp'), []);
    store.close();
  });

  it('stores learned noise and lists fields seen at least twice in the report', () => {
    const path = dir.file('noise.db');
    const store = openDiffStore(path);
    store.record(row());
    store.saveNoise([
      { route: 'users', pattern: '$[*].nonce', hits: 2, firstAt: 1, lastAt: 2 },
      { route: 'users', pattern: '$.once', hits: 1, firstAt: 1, lastAt: 1 },
    ]);
    store.close();
    const again = openDiffStore(path);
    assert.equal(again.loadNoise().length, 2);
    assert.deepEqual(again.summary().routes[0]?.noise.map((n) => n.pattern), ['$[*].nonce']);
    again.close();
  });

  it('counts raced comparisons apart: out of the match rate, the paths, the samples and the exports', () => {
    const store = open();
    for (let i = 0; i < 3; i++) store.record(row({ at: 1_000_000 + i }));
    store.record(mismatch('$.name', 1_000_010));
    const exchange = {
      request: { method: 'GET', path: '/users' },
      primary: { status: 200, headers: {}, body: '[]', encoding: 'utf8' as const },
      shadow: { status: 200, headers: {}, body: '[{}]', encoding: 'utf8' as const },
    };
    for (let i = 0; i < 4; i++) store.record(mismatch('$[1]', 1_000_020 + i, { raced: true, exchange }));
    store.flush();
    const [users] = store.summary().routes;
    assert.deepEqual([users?.shadowed, users?.matched, users?.mismatched, users?.raced, users?.errors], [8, 3, 1, 4, 0]);
    assert.equal(users?.matchRate, 75);
    assert.deepEqual(users?.topPaths.map((p) => p.path), ['$.name']);
    assert.deepEqual(users?.samples.map((s) => s.differences[0]?.path), ['$.name']);
    assert.deepEqual(store.mismatches('users'), []);
    store.close();
  });

  it('a route whose comparisons all raced has no match rate', () => {
    const store = open();
    store.record(mismatch('$[1]', 1, { raced: true }));
    store.flush();
    assert.equal(store.summary().routes[0]?.matchRate, null);
    store.close();
  });

  it('adds the raced column to a diffs file written before it existed; a read-only reader of such a file still answers', () => {
    const path = dir.file('old.db');
    const old = openDatabase(path);
    old.exec(DIFF_SCHEMA.replace(/,\s*raced INTEGER[^\n]*/, ''));
    old.prepare("INSERT INTO diffs (at, route, method, path, primary_backend, shadow_backend, match) VALUES (1, 'users', 'GET', '/users', 'legacy', 'new', 1)").run();
    old.close();
    const reader = openDiffReader(path);
    assert.deepEqual(reader?.queries.summary().routes.map((r) => [r.shadowed, r.raced, r.matchRate]), [[1, 0, 100]]);
    reader?.close();
    const store = openDiffStore(path);
    store.record(mismatch('$[1]', 2, { raced: true }));
    store.flush();
    assert.deepEqual(store.summary().routes.map((r) => [r.shadowed, r.raced, r.matchRate]), [[2, 1, 100]]);
    store.close();
  });

  it('drops and counts rows when too many wait for the disk', () => {
    const store = open({ maxPending: 3, flushRows: 1000, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) store.record(row());
    store.flush();
    const [users] = store.summary().routes;
    assert.deepEqual([users?.shadowed, users?.dropped], [3, 2]);
    store.close();
  });
});
