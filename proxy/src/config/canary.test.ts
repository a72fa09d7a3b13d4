import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canaryBucket, canaryIdentity, chooseBackend, parseRouteTable, type RouteTable } from './index.js';

function tableWith(percent: number): RouteTable {
  const r = parseRouteTable(`version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users/**]
    target: legacy
    canary: { to: new, percent: ${percent} }
  - name: auth
    paths: [/auth/**]
    target: new
`, { source: 'routes.yaml', env: {} });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.table;
}
const ids = Array.from({ length: 10_000 }, (_, i) => `user:${i}`);

describe('canaryBucket', () => {
  it('is stable and in [0, 100)', () => {
    for (const id of ids.slice(0, 500)) {
      const b = canaryBucket('users', id);
      assert.ok(b >= 0 && b < 100);
      assert.equal(canaryBucket('users', id), b);
    }
  });

  it('has a fixed value, so every process and machine agrees', () => {
    // sha256("users\0user:7") starts ae8488ba…; 0xae8488ba / 2^32 * 100
    assert.equal(canaryBucket('users', 'user:7'), 68.17098096944392);
  });

  it('differs per route for the same identity', () => {
    const same = ids.slice(0, 1000).filter((id) => Math.floor(canaryBucket('users', id)) === Math.floor(canaryBucket('mcp', id)));
    assert.ok(same.length < 50, `${same.length} of 1000 share a bucket`);
  });
});

describe('chooseBackend', () => {
  for (const percent of [1, 10, 25, 50, 90]) {
    it(`sends roughly ${percent}% of 10k users to the canary, each one sticky`, () => {
      const t = tableWith(percent);
      const m = t.match('GET', '/users/1');
      const chosen = ids.map((id) => chooseBackend(t, m, id).backend);
      const share = (chosen.filter((b) => b === 'new').length / ids.length) * 100;
      assert.ok(Math.abs(share - percent) < 2, `share ${share}% for ${percent}%`);
      assert.deepEqual(ids.map((id) => chooseBackend(t, m, id).backend), chosen);
    });
  }

  it('keeps a user already in the canary there when the percent grows', () => {
    const m25 = tableWith(25);
    const m50 = tableWith(50);
    for (const id of ids.slice(0, 2000)) {
      if (chooseBackend(m25, m25.match('GET', '/users/1'), id).backend === 'new') {
        assert.equal(chooseBackend(m50, m50.match('GET', '/users/1'), id).backend, 'new');
      }
    }
  });

  it('0% sends no one, 100% everyone (with or without identity)', () => {
    const zero = tableWith(0);
    const all = tableWith(100);
    for (const id of [...ids.slice(0, 2000), undefined]) {
      assert.equal(chooseBackend(zero, zero.match('GET', '/users/1'), id).backend, 'legacy');
      assert.equal(chooseBackend(all, all.match('GET', '/users/1'), id).backend, 'new');
    }
  });

  it('keeps a request with no identity on the target when 0 < percent < 100', () => {
    const t = tableWith(99);
    const c = chooseBackend(t, t.match('GET', '/users/1'), undefined);
    assert.equal(c.backend, 'legacy');
    assert.equal(c.kind, 'canary-no-identity');
  });

  it('reports the bucket and explains the choice', () => {
    const t = tableWith(75);
    const c = chooseBackend(t, t.match('GET', '/users/1'), 'user:7');
    assert.deepEqual(c.canary, { bucket: canaryBucket('users', 'user:7'), percent: 75, to: 'new' });
    assert.equal(c.backend, 'new');
    assert.equal(c.kind, 'canary');
    assert.match(c.reason, /bucket 68\.17 is below the canary's 75%/);
    const out = tableWith(60);
    const d = chooseBackend(out, out.match('GET', '/users/1'), 'user:7');
    assert.equal(d.backend, 'legacy');
    assert.equal(d.kind, 'canary-out');
  });

  it('uses the route target without a canary, and the default with no route', () => {
    const t = tableWith(50);
    assert.deepEqual(
      [chooseBackend(t, t.match('GET', '/auth/x'), 'user:1').backend, chooseBackend(t, t.match('GET', '/other'), 'user:1').backend],
      ['new', 'legacy'],
    );
    assert.equal(chooseBackend(t, t.match('GET', '/other'), undefined).kind, 'default');
  });
});

describe('canaryIdentity', () => {
  const cases: [Parameters<typeof canaryIdentity>[0], string | undefined][] = [
    [{ userId: 7, sessionId: 's', clientAddress: '1.2.3.4' }, 'user:7'],
    [{ userId: '7' }, 'user:7'],
    [{ sessionId: 'abc', clientAddress: '1.2.3.4' }, 'session:abc'],
    [{ clientAddress: '::1' }, 'addr:::1'],
    [{ userId: '', sessionId: '' }, undefined],
    [{}, undefined],
  ];
  for (const [who, want] of cases) it(`${JSON.stringify(who)} -> ${want}`, () => assert.equal(canaryIdentity(who), want));
});
