import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRequestPath } from './index.js';

describe('normalizeRequestPath', () => {
  const accepted: [string, string, string][] = [
    ['/users', '/users', ''],
    ['/users?x=1&y=%2e%2e', '/users', '?x=1&y=%2e%2e'],
    ['/users/7#frag', '/users/7', ''],
    ['/users?q#frag', '/users', '?q'],
    ['/users/7?a=/./&b=//', '/users/7', '?a=/./&b=//'],
    ['/.well-known/x', '/.well-known/x', ''],
    ['/a.b/c..d/', '/a.b/c..d/', ''],
    ['/caf\u00e9', '/caf\u00e9', ''],
    ['//users///7', '/users/7', ''],
    ['/users/./7', '/users/7', ''],
    ['/users/7/.', '/users/7/', ''],
    ['/users/', '/users/', ''],
    ['/', '/', ''],
    ['/./', '/', ''],
    ['/%75sers/%37', '/users/7', ''],
    ['/users/%2e', '/users/', ''],
    ['/a/%c3%a9', '/a/%C3%A9', ''],
    ['/a%20b', '/a%20b', ''],
    ['/a/%25', '/a/%25', ''],
    ['/a/..;b', '/a/..;b', ''],
    ['http://example.com/users/7?q', '/users/7', '?q'],
    ['http://example.com', '/', ''],
    ['http://example.com?x', '/', '?x'],
  ];
  for (const [raw, path, search] of accepted) {
    it(`accepts ${raw} as ${path}`, () => assert.deepEqual(normalizeRequestPath(raw), { ok: true, path, search }));
  }

  const refused: [string, RegExp][] = [
    ['/users/../admin', /"\.\." segment/],
    ['/users/%2e%2e/admin', /"\.\." segment/],
    ['/users/%2E%2e/admin', /"\.\." segment/],
    ['/users/.%2e/admin', /"\.\." segment/],
    ['/..', /"\.\." segment/],
    ['/a/..%2fb', /encoded slash/],
    ['/a/%2F', /encoded slash/],
    ['/a%5cb', /encoded backslash/],
    ['/a\\b', /backslash/],
    ['/a/\\..\\b', /backslash/],
    ['/a%00', /encoded control character \(%00\)/],
    ['/a\u0000', /control character/],
    ['/a%0d%0aSet-Cookie:x', /encoded control character/],
    ['/a b', /control character or space/],
    ['/%zz', /bad percent-encoding "%zz"/],
    ['/a%4', /bad percent-encoding "%4"/],
    ['/a%', /bad percent-encoding/],
    ['/%ff', /not valid UTF-8/],
    ['/%c3', /not valid UTF-8/],
    ['*', /must start with "\/"/],
    ['users', /must start with "\/"/],
    ['', /must start with "\/"/],
  ];
  for (const [raw, reason] of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      const r = normalizeRequestPath(raw);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, reason);
    });
  }
});

describe('normalizeRequestPath on generated paths', () => {
  // A fixed pseudo-random walk over the characters that matter, so a failure reproduces.
  const pieces = ['/', '.', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', '\\', 'a', '?', '#', '0', '%2e', '%2E', '%2f', '%25', '%c3%a9', ';', ':', '~'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const samples = Array.from({ length: 20000 }, () => {
    let s = '/';
    for (let n = Math.floor(next() * 12); n > 0; n--) s += pieces[Math.floor(next() * pieces.length)];
    return s;
  });

  it('never throws, and an accepted path is canonical, decodable and free of dot-dot and encoded slashes', () => {
    let accepted = 0;
    for (const raw of samples) {
      const r = normalizeRequestPath(raw);
      if (!r.ok) continue;
      accepted++;
      assert.deepEqual(normalizeRequestPath(r.path), { ok: true, path: r.path, search: '' }, `${raw} -> ${r.path} is not a fixed point`);
      assert.doesNotMatch(r.path, /\/\/|\\|%2f|%5c/i, raw);
      assert.ok(!decodeURIComponent(r.path).split('/').includes('..'), raw);
      // A canonical path (the fast path takes it as it is) comes out unchanged, with any query.
      const query = `?${raw.replaceAll('#', '')}`;
      assert.deepEqual(normalizeRequestPath(r.path + query), { ok: true, path: r.path, search: query }, r.path + query);
    }
    assert.ok(accepted > 1000, `only ${accepted} accepted: the generator is too hostile to test acceptance`);
  });
});
