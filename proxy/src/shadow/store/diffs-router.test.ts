import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { startServer, tempDir, type RunningServer } from '../../../../test/kit/index.js';
import { openDiffStore, type DiffStore } from './diff-store.js';
import { createDiffsRouter } from './diffs-router.js';
import { parseSince } from './parse-since.js';

describe('parseSince', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const table: [string, number | RegExp][] = [
    ['1h', now - 3_600_000],
    ['15m', now - 900_000],
    ['90s', now - 90_000],
    ['2d', now - 2 * 86_400_000],
    ['1w', now - 604_800_000],
    ['1.5h', now - 5_400_000],
    ['2026-11-25T10:00:00Z', Date.parse('2026-11-25T10:00:00Z')],
    ['2026-11-24', Date.parse('2026-11-24')],
    ['yesterday', /not a duration/],
    ['1y', /not a duration/],
    ['2026-13-45', /not a duration/],
  ];
  for (const [text, expected] of table) {
    it(`${text}`, () => {
      const r = parseSince(text, now);
      if (expected instanceof RegExp) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.reason, expected);
      } else {
        assert.deepEqual(r, { ok: true, at: expected });
      }
    });
  }
});

describe('/__proxy/diffs', () => {
  const dir = tempDir('diffs-router-');
  let store: DiffStore;
  let server: RunningServer;
  const now = Date.now();
  before(async () => {
    store = openDiffStore(dir.file('diffs.db'));
    const base = { method: 'GET', path: '/users', requestId: 'r', primaryBackend: 'legacy', shadowBackend: 'new', primaryStatus: 200, shadowStatus: 200, omitted: 0, primaryMs: 1, shadowMs: 1, error: undefined };
    store.record({ ...base, at: now - 7_200_000, route: 'users', match: true, differences: [] });
    store.record({
      ...base, at: now, route: 'users', match: false, differences: [{ path: '$.a', kind: 'changed', primary: 1, shadow: 2 }],
      exchange: { request: { method: 'GET', path: '/users' }, primary: { status: 200, headers: {}, body: '{"a":1}', encoding: 'utf8' }, shadow: { status: 200, headers: {}, body: '{"a":2}', encoding: 'utf8' } },
    });
    store.flush();
    const app = express();
    app.use('/__proxy/diffs', createDiffsRouter(store));
    server = await startServer(app);
  });
  after(async () => {
    await server.close();
    store.close();
    dir.cleanup();
  });

  it('answers the summary as JSON, filtered by time', async () => {
    const all = await (await fetch(`${server.url}/__proxy/diffs`)).json() as { routes: { route: string; shadowed: number; matchRate: number }[] };
    assert.deepEqual(all.routes.map((r) => [r.route, r.shadowed, r.matchRate]), [['users', 2, 50]]);
    const recent = await (await fetch(`${server.url}/__proxy/diffs?since=1h&route=users`)).json() as { routes: { shadowed: number }[] };
    assert.equal(recent.routes[0]?.shadowed, 1);
  });

  it('refuses a bad since with a message', async () => {
    const res = await fetch(`${server.url}/__proxy/diffs?since=soon`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /not a duration/);
  });

  it('lists mismatches with both answers', async () => {
    const res = await fetch(`${server.url}/__proxy/diffs/mismatches?route=users`);
    const list = await res.json() as { exchange: { shadow: { body: string } } }[];
    assert.equal(list[0]?.exchange.shadow.body, '{"a":2}');
    assert.equal((await fetch(`${server.url}/__proxy/diffs/mismatches`)).status, 400);
  });
});
