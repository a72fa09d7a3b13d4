import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRouteTable } from './index.js';

const REPO_ROUTES = fileURLToPath(new URL('../../../routes.yaml', import.meta.url));

describe("the repository's routes.yaml", () => {
  it('is valid, warns about nothing, sends every route to legacy, and shadows GETs of users and mcp to new', () => {
    const r = loadRouteTable(REPO_ROUTES, {});
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.table.routes.map((x) => [x.name, x.target, x.canary, x.shadow?.to, x.shadow?.methods]), [
      ['auth', 'legacy', undefined, undefined, undefined], ['users', 'legacy', undefined, 'new', ['GET']], ['mcp', 'legacy', undefined, 'new', ['GET']],
    ]);
    assert.equal(r.table.defaultBackend, 'legacy');
    assert.deepEqual([...r.table.backends.values()].map((b) => [b.name, b.url.origin, b.auth]), [
      ['legacy', 'http://127.0.0.1:5601', 'session'], ['new', 'http://127.0.0.1:5602', 'jwt'],
    ]);
  });

  it('takes backend URLs from LEGACY_URL and NEW_BACKEND_URL', () => {
    const r = loadRouteTable(REPO_ROUTES, { LEGACY_URL: 'http://10.0.0.1:81', NEW_BACKEND_URL: 'https://new.internal' });
    assert.ok(r.ok);
    assert.deepEqual([...r.table.backends.values()].map((b) => b.url.origin), ['http://10.0.0.1:81', 'https://new.internal']);
  });

  it('routes each contract path to the route of its component', () => {
    const r = loadRouteTable(REPO_ROUTES, {});
    assert.ok(r.ok);
    const cases: [string, string, string | undefined][] = [
      ['POST', '/auth/login', 'auth'], ['GET', '/auth/me', 'auth'], ['POST', '/auth/logout', 'auth'],
      ['GET', '/users', 'users'], ['DELETE', '/users/3', 'users'], ['GET', '/mcp/tools', 'mcp'],
      ['POST', '/mcp/commands/4/approve', 'mcp'], ['GET', '/mcp/ws', 'mcp'], ['GET', '/health', undefined], ['GET', '/', undefined],
    ];
    for (const [method, path, route] of cases) assert.equal(r.table.match(method, path).route?.name, route, `${method} ${path}`);
  });
});
