import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable, type RouteTable } from './config/index.js';
import { isReservedPath, reservedPaths } from './reserved-paths.js';

const KEY = 'reserved-paths-test-key-0123456789abcdef0123';

function table(sessionBlocks: Record<string, string | undefined>): RouteTable {
  const lines = ['version: 1', 'backends:'];
  for (const [name, block] of Object.entries(sessionBlocks)) {
    lines.push(`  ${name}:`, `    url: http://127.0.0.1:${5600 + lines.length}`, '    auth: session');
    if (block) lines.push(`    session: ${block}`);
  }
  lines.push('  new: { url: "http://127.0.0.1:5699", auth: jwt }', `default: ${Object.keys(sessionBlocks)[0]}`, 'routes: []');
  const result = parseRouteTable(`${lines.join('\n')}\n`, { source: 'test', env: {} });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.table;
}

describe('reserved paths', () => {
  const plain = table({ legacy: undefined });
  const custom = table({
    legacy: `{ source: adapter, adapter: { key: "${KEY}", path: /Internal/Strangler/ } }`,
    shop: `{ source: adapter, adapter: { key: "${KEY}" } }`,
    other: `{ source: adapter, adapter: { key: "${KEY}", path: /adapter } }`,
  });

  it('always holds the default path, and every session backend\'s configured one', () => {
    assert.deepEqual(reservedPaths(plain), ['/__strangler']);
    assert.deepEqual(reservedPaths(custom), ['/__strangler', '/internal/strangler', '/adapter']);
  });

  const cases: Array<[string, RouteTable, boolean]> = [
    ['/__strangler', plain, true],
    ['/__strangler/session', plain, true],
    ['/__STRANGLER/login', plain, true],
    ['/__strangler/', plain, true],
    ['/__stranglerish', plain, false],
    ['/__strangle', plain, false],
    ['/users/__strangler', plain, false],
    ['/', plain, false],
    ['/internal/strangler/session', plain, false],
    ['/internal/strangler/session', custom, true],
    ['/INTERNAL/strangler', custom, true],
    ['/internal/stranglers', custom, false],
    ['/internal', custom, false],
    ['/adapter/logout', custom, true],
    ['/adapters', custom, false],
    ['/__strangler/session', custom, true],
  ];
  for (const [path, t, expected] of cases) {
    it(`${expected ? 'reserves' : 'leaves'} ${path}${t === custom ? ' (configured paths)' : ''}`, () => {
      assert.equal(isReservedPath(path, t), expected);
    });
  }
});
