import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRouteTable } from '../config/index.js';
import { sideRoutes } from './side-routes.js';

const ROUTES = `version: 1
backends:
  legacy:
    url: \${LEGACY_URL:-http://127.0.0.1:5601}
    auth: session
    session: { source: sqlite, sqlite: { path: data/app.db } }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
    canary: { to: new, percent: 25 }
    shadow: { to: new }
  - name: reads
    paths: [/report]
    methods: [GET, POST]
    target: new
replay:
  database: data/app.db
  backends: {}
`;

function load(text: string) {
  const r = parseRouteTable(text, { source: 'side.yaml', env: { SESSION_SECRET: 's'.repeat(40) } });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.table;
}

describe('routes.yaml for one side of a replay', () => {
  it('sends every route and the default to one backend, at its process, on the copy', () => {
    const table = load(sideRoutes({ text: ROUTES, routing: { kind: 'all', backend: 'new' }, urls: { new: 'http://127.0.0.1:7002' }, database: '/tmp/copy-2.db' }));
    assert.equal(table.defaultBackend, 'new');
    assert.deepEqual(table.routes.map((r) => [r.name, r.target, r.canary ?? null, r.shadow ?? null]), [['users', 'new', null, null], ['reads', 'new', null, null]]);
    assert.equal(table.backends.get('new')?.url.origin, 'http://127.0.0.1:7002');
    assert.equal(table.backends.get('legacy')?.url.origin, 'http://127.0.0.1:9', 'a backend with no process here points nowhere');
    assert.equal(table.backends.get('legacy')?.session?.sqlite.path, '/tmp/copy-2.db');
    assert.equal(table.replay, undefined);
  });

  it('splits each route for the rollback check: its unsafe methods to one backend, the rest to the other', () => {
    const table = load(sideRoutes({ text: ROUTES, routing: { kind: 'split', writes: 'new', reads: 'legacy' }, urls: { legacy: 'http://127.0.0.1:7001', new: 'http://127.0.0.1:7002' }, database: '/tmp/copy.db' }));
    assert.deepEqual(table.routes.map((r) => [r.name, r.methods ?? 'all', r.target]), [
      ['users-writes', ['POST', 'PUT', 'PATCH', 'DELETE'], 'new'], ['users', 'all', 'legacy'],
      ['reads-writes', ['POST'], 'new'], ['reads', ['GET', 'POST'], 'legacy'],
    ]);
    assert.equal(table.match('PUT', '/users/7').route?.name, 'users-writes');
    assert.equal(table.match('GET', '/users/7').route?.name, 'users');
    assert.equal(table.defaultBackend, 'legacy');
  });
});
