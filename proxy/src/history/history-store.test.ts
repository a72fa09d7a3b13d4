import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../lib/sqlite.js';
import { parseRouteTable } from '../config/index.js';
import { actorFromHeader } from './history-entry.js';
import { createHistoryRecorder } from './history-recorder.js';
import { createHistoryStore } from './history-store.js';
import { routingChanges } from './routing-changes.js';

const BASE = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users/**]
    target: legacy
  - name: mcp
    paths: [/mcp/**]
    target: legacy
`;

function table(text: string) {
  const parsed = parseRouteTable(text, { source: 'routes.yaml' });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.table;
}

describe('routing changes between two tables', () => {
  const cases: Array<[string, string, Array<[string, string]>]> = [
    ['a flip', BASE.replace(/target: legacy\n {2}- name: mcp/, 'target: new\n  - name: mcp'), [['users', 'target legacy → new']]],
    ['a canary', BASE.replace('target: legacy\n  - name: mcp', 'target: legacy\n    canary: { to: new, percent: 5 }\n  - name: mcp'), [['users', 'canary → new 5%']]],
    ['the default', BASE.replace('default: legacy', 'default: new'), [['(default)', 'default legacy → new']]],
    ['a route removed', BASE.replace(/ {2}- name: mcp[\s\S]*$/, ''), [['mcp', 'route removed (was → legacy)']]],
    ['paths only: not routing', BASE.replace('/mcp/**', '/mcp, /mcp/**'), []],
  ];
  for (const [what, after, expected] of cases) {
    it(`describes ${what}`, () => {
      assert.deepEqual(routingChanges(table(BASE), table(after)).map((c) => [c.route, c.change]), expected);
    });
  }

  it('describes a canary step and its removal together with a flip', () => {
    const a = table(BASE.replace('target: legacy\n  - name: mcp', 'target: legacy\n    canary: { to: new, percent: 5 }\n  - name: mcp'));
    const b = table(BASE.replace('target: legacy\n  - name: mcp', 'target: legacy\n    canary: { to: new, percent: 25 }\n  - name: mcp'));
    const c = table(BASE.replace('target: legacy\n  - name: mcp', 'target: new\n  - name: mcp'));
    assert.deepEqual(routingChanges(a, b).map((x) => x.change), ['canary new 5% → 25%']);
    assert.deepEqual(routingChanges(b, c).map((x) => x.change), ['target legacy → new; canary new 25% removed']);
  });
});

describe('history store', () => {
  it('lists newest first, by route, and refuses to change or delete a row', () => {
    const db = openDatabase(':memory:');
    const store = createHistoryStore(db);
    const actor = { kind: 'cli' as const, name: 'ana' };
    store.append({ route: 'users', change: 'target legacy → new', from: { target: 'legacy' }, to: { target: 'new' }, actor, reason: null, gates: null }, 1000);
    store.append({ route: 'mcp', change: 'target legacy → new', from: { target: 'legacy' }, to: { target: 'new' }, actor, reason: 'x', gates: [] }, 2000);
    store.append({ route: 'users', change: 'target new → legacy', from: { target: 'new' }, to: { target: 'legacy' }, actor, reason: null, gates: null }, 3000);
    assert.deepEqual(store.list().map((e) => e.at), ['1970-01-01T00:00:03.000Z', '1970-01-01T00:00:02.000Z', '1970-01-01T00:00:01.000Z']);
    assert.deepEqual(store.list({ route: 'users', limit: 1 }).map((e) => e.change), ['target new → legacy']);
    assert.deepEqual(store.list({ route: 'mcp' })[0]?.gates, []);
    assert.throws(() => db.prepare('UPDATE history SET change = ?').run('forged'), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM history').run(), /append-only/);
  });

  it('records a file change as a file edit, unless another writer already recorded it', async () => {
    const store = createHistoryStore(openDatabase(':memory:'));
    const recorder = createHistoryRecorder(store, { graceMs: 10 });
    const before = table(BASE);
    const flipped = table(BASE.replace(/target: legacy\n {2}- name: mcp/, 'target: new\n  - name: mcp'));
    // The CLI wrote the file and its own entry.
    store.append({ route: 'users', change: 'target legacy → new', from: { target: 'legacy', canary: null }, to: { target: 'new', canary: null }, actor: { kind: 'cli', name: 'ana' }, reason: null, gates: null });
    recorder.tableChanged(before, flipped);
    const mcpFlipped = table(BASE.replace(/target: legacy\n$/, 'target: new\n'));
    recorder.tableChanged(before, mcpFlipped);
    recorder.flush();
    const entries = store.list();
    assert.deepEqual(entries.map((e) => [e.route, e.actor.kind]), [['mcp', 'file-edit'], ['users', 'cli']]);
  });
});

describe('X-Strangler-Actor', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'admin-api:token'],
    ['cli:ana', 'cli:ana'],
    ['console:admin', 'console:admin'],
    ['rollout:gate', 'admin-api:token'],
    ['file-edit:x', 'admin-api:token'],
    ['cli', 'cli:unknown'],
  ];
  for (const [header, expected] of cases) {
    it(`reads ${header ?? 'no header'} as ${expected}`, () => {
      const a = actorFromHeader(header);
      assert.equal(`${a.kind}:${a.name}`, expected);
    });
  }
});
