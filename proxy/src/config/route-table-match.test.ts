import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable, type RouteTable } from './index.js';

const TABLE = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: login
    paths: [/auth/login]
    methods: [POST]
    target: new
  - name: auth
    paths: [/auth, /auth/**]
    target: legacy
  - name: user-reads
    paths: [/users/:id, /users/:id/*]
    methods: [GET]
    target: new
  - name: users
    paths: [/users, /users/**]
    target: legacy
  - name: root
    paths: [/]
    target: new
  - name: files
    paths: [/files/*/raw]
    target: new
`;

function table(): RouteTable {
  const r = parseRouteTable(TABLE, { source: 'routes.yaml', env: {} });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.table;
}

describe('route table matching (first match in file order)', () => {
  const t = table();
  const cases: [string, string, string | undefined, string | undefined][] = [
    ['POST', '/auth/login', 'login', '/auth/login'],
    ['GET', '/auth/login', 'auth', '/auth/**'],
    ['GET', '/auth', 'auth', '/auth'],
    ['GET', '/auth/', 'auth', '/auth'],
    ['GET', '/auth/a/b/c', 'auth', '/auth/**'],
    ['GET', '/authx', undefined, undefined],
    ['GET', '/users/7', 'user-reads', '/users/:id'],
    ['HEAD', '/users/7', 'user-reads', '/users/:id'],
    ['GET', '/users/7/avatar', 'user-reads', '/users/:id/*'],
    ['GET', '/users/7/a/b', 'users', '/users/**'],
    ['DELETE', '/users/7', 'users', '/users/**'],
    ['GET', '/users', 'users', '/users'],
    ['GET', '/USERS/7', 'user-reads', '/users/:id'],
    ['GET', '/users?x=/auth', 'users', '/users'],
    ['GET', '/', 'root', '/'],
    ['GET', '/health', undefined, undefined],
    ['GET', '/files/a/raw', 'files', '/files/*/raw'],
    ['GET', '/files/raw', undefined, undefined],
    ['GET', '/files/a/b/raw', undefined, undefined],
  ];
  for (const [method, path, route, pattern] of cases) {
    it(`${method} ${path} -> ${route ?? 'default'}`, () => {
      const m = t.match(method, path);
      assert.equal(m.route?.name, route);
      assert.equal(m.pattern, pattern);
    });
  }

  it('returns the same frozen match object each time (no allocation per request)', () => {
    const a = t.match('GET', '/users/1');
    assert.equal(a, t.match('GET', '/users/2'));
    assert.ok(Object.isFrozen(a));
    assert.equal(t.match('GET', '/nope'), t.match('PUT', '/nothing'));
  });
});
