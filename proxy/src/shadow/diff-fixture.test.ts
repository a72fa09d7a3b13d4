import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFixture, replayFixture, replayOptions, type DiffFixture } from './diff-fixture.js';
import { fixtureFileName } from './diff-fixture-files.js';

const answer = (body: unknown) => ({ backend: 'x', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), encoding: 'utf8' as const });
function fixture(over: Partial<DiffFixture>): DiffFixture {
  return {
    fixture: 1, name: 'users: GET /users', route: 'users', recordedAt: '2026-11-25T00:00:00.000Z', requestId: null, expect: 'differ',
    options: { ignore: [], unordered: false, headers: [] }, useRoutesFile: true, request: { method: 'GET', path: '/users' },
    primary: answer({ a: 1, t: 1 }), shadow: answer({ a: 2, t: 2 }),
    differences: [{ path: '$.a', kind: 'changed' }, { path: '$.t', kind: 'changed' }], ...over,
  };
}

describe('diff fixtures', () => {
  const table: [string, DiffFixture, string[] | undefined, RegExp | undefined][] = [
    ['a differ fixture that still differs the same way', fixture({}), undefined, undefined],
    ['a differ fixture whose difference is gone', fixture({ shadow: answer({ a: 1, t: 1 }) }), undefined, /no longer shows: set "expect": "match"/],
    ['a differ fixture with a new difference', fixture({ shadow: answer({ a: 2, t: 2, z: 1 }) }), undefined, /now also added \$\.z/],
    ['a differ fixture whose difference is now ignored by the route', fixture({ differences: [{ path: '$.a', kind: 'changed' }] }), ['t'], undefined],
    ['a match fixture that matches', fixture({ expect: 'match', shadow: answer({ t: 1, a: 1 }) }), undefined, undefined],
    ['a match fixture that matches thanks to the route ignore', fixture({ expect: 'match', shadow: answer({ a: 1, t: 9 }) }), ['t'], undefined],
    ['a match fixture that differs again', fixture({ expect: 'match' }), undefined, /expected the answers to match, but: changed \$\.a, changed \$\.t/],
  ];
  for (const [name, f, routeIgnore, problem] of table) {
    it(name, () => {
      const r = replayFixture(f, replayOptions(f, routeIgnore ? { ignore: routeIgnore } : undefined));
      if (!problem) assert.equal(r.ok, true, r.ok ? '' : r.problem);
      else {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.problem, problem);
      }
    });
  }

  it('route options are not used when the fixture says so', () => {
    const f = fixture({ expect: 'match', shadow: answer({ a: 1, t: 9 }), useRoutesFile: false });
    assert.equal(replayFixture(f, replayOptions(f, { ignore: ['t'] })).ok, false);
  });

  it('refuses files that are not fixtures, naming the field', () => {
    assert.match((parseFixture('{') as { reason: string }).reason, /not JSON/);
    assert.match((parseFixture(JSON.stringify({ ...fixture({}), expect: 'maybe' })) as { reason: string }).reason, /expect/);
    assert.equal(parseFixture(JSON.stringify(fixture({}))).ok, true);
  });

  it('names files by route, method, path and row', () => {
    assert.equal(fixtureFileName('users', 'GET', '/users/3?x=1', 42), 'users-GET-users_3-42.json');
    assert.equal(fixtureFileName('mcp', 'GET', '/', 7), 'mcp-GET-root-7.json');
    assert.equal(fixtureFileName('a/b', 'GET', '/../../etc/passwd', 1), 'ab-GET-.._.._etc_passwd-1.json');
  });
});
