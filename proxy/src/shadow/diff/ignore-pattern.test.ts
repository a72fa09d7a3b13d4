import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileIgnore, parseIgnorePattern } from './ignore-pattern.js';
import type { Segment } from './json-path.js';

function matches(pattern: string, path: Segment[]): boolean {
  const r = compileIgnore([pattern]);
  assert.ok(r.ok, `pattern ${pattern} should compile`);
  return r.matcher.matches(path);
}

describe('ignore patterns', () => {
  const table: [pattern: string, path: Segment[], expected: boolean][] = [
    ['created_at', ['created_at'], true],
    ['created_at', [3, 'created_at'], true],
    ['created_at', ['a', 'b', 'created_at'], true],
    ['created_at', ['created_at_x'], false],
    ['created_at', ['created_at', 'nested'], false],
    ['*.updated_at', ['updated_at'], true],
    ['*.updated_at', [0, 'updated_at'], true],
    ['*.updated_at', ['user', 'profile', 'updated_at'], true],
    ['*.updated_at', ['updated'], false],
    ['$[*].id', [0, 'id'], true],
    ['$[*].id', [41, 'id'], true],
    ['$[*].id', ['id'], false],
    ['$[*].id', ['items', 0, 'id'], false],
    ['$.items[*].ts', ['items', 2, 'ts'], true],
    ['$.items[*].ts', ['other', 2, 'ts'], false],
    ['$.items[1].ts', ['items', 2, 'ts'], false],
    ['$.items[1].ts', ['items', 1, 'ts'], true],
    ['items.*.ts', ['data', 'items', 5, 'ts'], true],
    ['$..etag', ['a', 0, 'etag'], true],
    ['$..etag', ['etag'], true],
    ['**.etag', ['x', 'etag'], true],
    ['$.a.**.z', ['a', 'z'], true],
    ['$.a.**.z', ['a', 'b', 'c', 'z'], true],
    ['$.a.**.z', ['b', 'z'], false],
    ['$["odd key"].x', ['odd key', 'x'], true],
    ["$['odd key'].x", ['odd key', 'x'], true],
    ['$["3"]', ['3'], true],
    ['$["3"]', [3], false],
    ['$[3]', ['3'], false],
    ['$[3]', [3], true],
    ['result.stdout', ['result', 'stdout'], true],
    ['result.stdout', ['stdout'], false],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(path)}`, () => {
      assert.equal(matches(pattern, path), expected);
    });
  }

  const bad: [pattern: string, mentions: string][] = [
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['$', 'whole body'],
    ['a..', 'empty key'],
    ['$.a[', 'without its "]"'],
    ['$.a[x]', 'not an index'],
    ['$.a]b', 'empty key'],
    ['$a', 'unexpected "a"'],
  ];
  for (const [pattern, mentions] of bad) {
    it(`refuses ${JSON.stringify(pattern)} naming the problem and showing examples`, () => {
      const r = parseIgnorePattern(pattern);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.reason, new RegExp(mentions.replace(/[[\]"().*]/g, '\\$&')));
        assert.match(r.reason, /examples: "created_at"/);
      }
    });
  }

  it('reports every bad pattern of a list, not only the first', () => {
    const r = compileIgnore(['ok', '$', 'a[', 'fine.too']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors.length, 2);
  });
});

describe('ignore patterns in routes.yaml', () => {
  it('a bad pattern is refused when the routes file loads, naming its place', async () => {
    const { parseRouteTable } = await import('../../config/index.js');
    const yaml = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users]
    target: legacy
    shadow: { to: new, ignore: [created_at, "$.items[", "$"] }
`;
    const r = parseRouteTable(yaml, { source: 'routes.yaml', env: {} });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.errors.length, 2, r.errors.join('\n'));
      assert.match(r.errors[0] ?? '', /routes\[0\]\.shadow\.ignore\[1\]: ignore pattern "\$\.items\[": has a "\[" without its "\]"/);
      assert.match(r.errors[1] ?? '', /routes\[0\]\.shadow\.ignore\[2\]: .*whole body/);
    }
    assert.equal(parseRouteTable(yaml.replace(', "$.items[", "$"', ', "*.updated_at", "$[*].id"'), { source: 'routes.yaml', env: {} }).ok, true);
  });
});
