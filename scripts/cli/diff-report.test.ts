import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { captureIo } from '../../test/kit/cli-fixture.js';
import { tempDir } from '../../test/kit/index.js';
import { openDiffStore, type DiffRecord } from '../../proxy/src/shadow/index.js';
import { run } from './diff-report.js';

describe('strangler diff-report', () => {
  const dir = tempDir('diff-report-');
  const file = dir.file('diffs.db');
  const now = Date.now();
  before(() => {
    const store = openDiffStore(file);
    const base: DiffRecord = {
      at: now, route: 'users', method: 'GET', path: '/users', requestId: 'r1', primaryBackend: 'legacy', shadowBackend: 'new',
      primaryStatus: 200, shadowStatus: 200, match: true, differences: [], omitted: 0, primaryMs: 3, shadowMs: 5, error: undefined,
    };
    for (let i = 0; i < 9; i++) store.record({ ...base, at: now - i });
    store.record({ ...base, match: false, path: '/users/3', requestId: 'req-3', differences: [{ path: '$[2].email', kind: 'changed', primary: 'a@x.io', shadow: 'A@x.io' }] });
    // Two that differed while a write went through: shown apart, left out of the rate and the paths.
    for (let i = 0; i < 2; i++) store.record({ ...base, match: false, raced: true, requestId: `raced-${i}`, differences: [{ path: '$[9]', kind: 'added', shadow: { id: 10 } }] });
    for (let i = 0; i < 3; i++) store.record({ ...base, route: 'mcp', match: i === 0, at: now - 3 * 3_600_000, differences: i ? [{ path: '$.status', kind: 'changed', primary: 'executed', shadow: 'failed' }] : [] });
    store.record({ ...base, route: 'mcp', match: false, error: 'timeout', shadowStatus: undefined, at: now - 3 * 3_600_000 });
    store.count('users', 'dropped', 2);
    store.saveNoise([{ route: 'users', pattern: '$.nonce', hits: 4, firstAt: now, lastAt: now }]);
    store.close();
  });
  after(() => dir.cleanup());

  it('prints a table per route, top paths, samples with both values, learned noise', async () => {
    const io = captureIo(dir.path);
    assert.equal(await run(['--file', file], io), 0);
    const text = io.stdout.join('\n');
    assert.match(text, /│ route +│ shadowed +│ matched +│ mismatched +│ raced +│ shadow errors/);
    assert.match(text, /│ users +│ 12 +│ 90\.0 % +│ 1 +│ 2 +│ 0 +│ 2 +│ 0 /);
    assert.match(text, /│ mcp +│ 4 +│ 25\.0 % +│ 2 +│ 0 +│ 1 \(timeout 1\)/);
    assert.match(text, /raced: the answers differed while a write went through the proxy/);
    assert.ok(!text.includes('$[9]') && !text.includes('raced-0'), 'raced comparisons are neither top paths nor samples');
    assert.match(text, /\$\[\*\]\.email +1/);
    assert.match(text, /GET \/users\/3 .*request req-3/);
    assert.match(text, /- legacy: "a@x\.io"\n.*\+ new: "A@x\.io"/);
    assert.match(text, /learned noise.*\$\.nonce \(4 samples\)/);
    assert.ok(!text.includes('\u001b['), 'no colours when not a terminal');
  });

  it('answers JSON, filtered by route and time', async () => {
    const io = captureIo(dir.path, { DIFFS_PATH: file });
    assert.equal(await run(['--json', '--since', '1h'], io), 0);
    const report = JSON.parse(io.stdout.join('\n')) as { routes: { route: string; matchRate: number; matched: number; mismatched: number; raced: number }[] };
    assert.deepEqual(report.routes.map((r) => [r.route, r.matchRate, r.matched, r.mismatched, r.raced]), [['users', 90, 9, 1, 2]]);
    const one = captureIo(dir.path);
    await run(['--json', '--route', 'mcp', '--file', file], one);
    assert.deepEqual((JSON.parse(one.stdout.join('')) as { routes: { route: string }[] }).routes.map((r) => r.route), ['mcp']);
  });

  it('gates on --fail-under: 1 when a route is under, 0 when all are at or above', async () => {
    const under = captureIo(dir.path);
    assert.equal(await run(['--file', file, '--fail-under', '80'], under), 1);
    assert.match(under.stderr.join('\n'), /✖ mcp: 25 % matched \(1 of 4\), under 80 %/);
    const ok = captureIo(dir.path);
    assert.equal(await run(['--file', file, '--route', 'users', '--fail-under', '90'], ok), 0, 'raced comparisons do not lower the rate');
    const raced = captureIo(dir.path);
    assert.equal(await run(['--file', file, '--route', 'users', '--fail-under', '95'], raced), 1);
    assert.match(raced.stderr.join('\n'), /✖ users: 90 % matched \(9 of 10, 2 raced left out\), under 95 %/);
    assert.match(ok.stdout.join('\n'), /✔ every route at or above 90 %/);
    const none = captureIo(dir.path);
    assert.equal(await run(['--file', file, '--route', 'auth', '--fail-under', '50'], none), 1);
    assert.match(none.stderr.join('\n'), /no comparisons for route "auth"/);
  });

  it('says what to do when there is no diffs file yet', async () => {
    const io = captureIo(dir.path);
    assert.equal(await run(['--file', dir.file('missing.db')], io), 0);
    assert.match(io.stderr.join('\n'), /missing\.db does not exist\. Add a shadow block/);
    assert.equal(await run(['--file', dir.file('missing.db'), '--fail-under', '99'], captureIo(dir.path)), 1);
  });

  it('refuses bad arguments with usage and exit 2', async () => {
    for (const args of [['--since', 'soon'], ['--fail-under', '120'], ['--bogus'], ['extra']]) {
      const io = captureIo(dir.path);
      assert.equal(await run(args, io), 2, args.join(' '));
      assert.match(io.stderr.join('\n'), /strangler diff-report: .*\n\nstrangler diff-report \[--route R\]/);
    }
  });
});
