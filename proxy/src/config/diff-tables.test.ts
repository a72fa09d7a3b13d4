import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffTables, parseRouteTable, type RouteTable } from './index.js';
import { DESIGN_EXAMPLE } from '../../../test/kit/proxy/routes-yaml-examples.js';

const load = (text: string, env: NodeJS.ProcessEnv = {}): RouteTable => {
  const r = parseRouteTable(text, { source: 'routes.yaml', env });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.table;
};

describe('diffTables', () => {
  const base = load(DESIGN_EXAMPLE);
  const cases: [string, string, string[]][] = [
    ['nothing but comments', DESIGN_EXAMPLE.replace('# optional', '# changed'), []],
    ['a target', DESIGN_EXAMPLE.replace('/mcp/**]\n    target: legacy', '/mcp/**]\n    target: new'), ['mcp: legacy -> new']],
    ['a canary percent', DESIGN_EXAMPLE.replace('percent: 25', 'percent: 50'), ['users: canary new 25% -> 50%']],
    ['a canary removed', DESIGN_EXAMPLE.replace('    canary: { to: new, percent: 25 }       # optional: sticky share of users sent to `to`\n', ''), ['users: canary new 25% removed']],
    ['the default', DESIGN_EXAMPLE.replace('default: legacy', 'default: new'), ['default: legacy -> new']],
    ['a backend URL', DESIGN_EXAMPLE.replace('http://127.0.0.1:5602', 'http://127.0.0.1:6000'), ['backend new: url http://127.0.0.1:5602 -> http://127.0.0.1:6000']],
    ['a route added', `${DESIGN_EXAMPLE}  - name: files\n    paths: [/files/**]\n    target: new\n`, ['route files added (-> new)']],
    ['a route removed', DESIGN_EXAMPLE.replace('  - name: mcp\n    paths: [/mcp, /mcp/**]\n    target: legacy\n', ''), ['route mcp removed']],
    ['paths and methods', DESIGN_EXAMPLE.replace('methods: [GET, POST, PUT, DELETE]      # optional', '').replace('paths: [/auth/**]', 'paths: [/auth, /auth/**]'),
      ['auth: paths /auth/** -> /auth, /auth/**', 'users: methods GET, POST, PUT, DELETE -> any']],
    ['shadow settings', DESIGN_EXAMPLE.replace('      percent: 100\n', '      percent: 10\n'), ['users: shadow to new changed']],
  ];
  for (const [name, text, want] of cases) it(name, () => assert.deepEqual(diffTables(base, load(text)), want));

  it('notices a reordering, which changes which route matches first', () => {
    const swapped = DESIGN_EXAMPLE.replace(/( {2}- name: auth\n[^]*?)( {2}- name: users\n[^]*?)( {2}- name: mcp)/, '$2$1$3');
    assert.deepEqual(diffTables(base, load(swapped)), ['route order: auth, users, mcp -> users, auth, mcp']);
  });
});
