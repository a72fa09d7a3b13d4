import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiffer, type CapturedResponse } from './diff.js';
import { NoiseBook, sampleNoise } from './noise.js';
import { compileIgnore } from './ignore-pattern.js';
import { formatPath } from './json-path.js';

function json(body: unknown, status = 200): CapturedResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}
const plain = (() => {
  const r = createDiffer({ headers: ['x-request-id'] });
  assert.ok(r.ok);
  return r.differ;
})();

describe('sampleNoise', () => {
  const table: [string, CapturedResponse, CapturedResponse, string[] | RegExp][] = [
    ['identical answers teach nothing', json({ a: 1 }), json({ a: 1 }), []],
    ['a timestamp that moves', json({ a: 1, now: 'T1' }), json({ a: 1, now: 'T2' }), ['$.now']],
    ['a nonce in every element, generalised', json([{ n: 1 }, { n: 2 }]), json([{ n: 3 }, { n: 4 }]), ['$[*].n']],
    ['a header listed for comparison', { ...json({}), headers: { 'content-type': 'application/json', 'x-request-id': 'a' } }, { ...json({}), headers: { 'content-type': 'application/json', 'x-request-id': 'b' } }, ['header:x-request-id']],
    ['another status is not noise', json({}, 200), json({}, 500), /another status/],
    ['a list that grew is not noise', json([1, 2]), json([1, 2, 3]), /changed length/],
    ['whole elements that differ are not noise', json([1, 2]), json([1, 3]), /whole list elements/],
    ['many fields at once are not noise', json(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))), json(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, -i - 1]))), /too many/],
  ];
  for (const [name, a, b, expected] of table) {
    it(name, () => {
      const r = sampleNoise(a, b, plain);
      if (expected instanceof RegExp) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.reason, expected);
      } else {
        assert.deepEqual(r, { ok: true, patterns: expected });
      }
    });
  }

  it('learned paths read back as ignore patterns', () => {
    for (const segs of [['a b', 3, 'c'], ['3'], ['x.y', 'z'], ['é', 0], ['a-b']] as (string | number)[][]) {
      const path = formatPath(segs);
      const r = compileIgnore([path]);
      assert.ok(r.ok, path);
      assert.equal(r.matcher.matches(segs), true, path);
    }
  });
});

describe('NoiseBook', () => {
  it('leaves a field out only after it differed in two samples', () => {
    const book = new NoiseBook();
    const differ = createDiffer({});
    assert.ok(differ.ok);
    const a = json({ now: 1, name: 'Ann' });
    const b = json({ now: 2, name: 'Ann' });
    book.observe('users', ['$.now'], 1);
    assert.equal(differ.differ.diff(a, b, book.exclusions('users')).match, false);
    book.observe('users', ['$.now'], 2);
    assert.equal(differ.differ.diff(a, b, book.exclusions('users')).match, true);
    assert.equal(differ.differ.diff(a, json({ now: 3, name: 'Bob' }), book.exclusions('users')).differences.length, 1);
    assert.deepEqual(book.active('users').map((e) => [e.pattern, e.hits, e.firstAt, e.lastAt]), [['$.now', 2, 1, 2]]);
    assert.deepEqual(book.active('mcp'), []);
  });

  it('keeps routes apart and starts from saved entries', () => {
    const book = new NoiseBook([{ route: 'mcp', pattern: 'body', hits: 3, firstAt: 1, lastAt: 2 }]);
    assert.deepEqual([...(book.exclusions('mcp').paths ?? [])], ['body']);
    assert.equal(book.exclusions('users').paths, undefined);
  });

  it('learns at most maxPerRoute fields per route', () => {
    const book = new NoiseBook([], { maxPerRoute: 2, minHits: 1 });
    assert.equal(book.observe('r', ['$.a', '$.b', '$.c'], 1).length, 2);
    assert.equal(book.active('r').length, 2);
  });
});
