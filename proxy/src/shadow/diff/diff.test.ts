import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiffer, diffResponses, type CapturedResponse, type DiffOptions } from './diff.js';
import { compileIgnore } from './ignore-pattern.js';

const JSON_TYPE = 'application/json; charset=utf-8';

function json(body: unknown, status = 200, headers: Record<string, string> = {}): CapturedResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(body)) };
}
function text(body: string, contentType = 'text/plain; charset=utf-8', status = 200): CapturedResponse {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(body) };
}

/** [name, primary, shadow, options, expected "kind path" lines] */
type Case = [string, CapturedResponse, CapturedResponse, DiffOptions, string[]];

const user = { id: 1, username: 'ann', name: 'Ann', email: 'ann@x.io', role: 'admin' };
const bob = { id: 2, username: 'bob', name: 'Bob', email: 'bob@x.io', role: 'user' };
const cid = { id: 3, username: 'cid', name: 'Cid', email: 'cid@x.io', role: 'user' };

const cases: Case[] = [
  ['equal objects, keys in another order', json(user), json({ role: 'admin', email: 'ann@x.io', name: 'Ann', username: 'ann', id: 1 }), {}, []],
  ['a changed field in a list', json([user, bob, cid]), json([user, bob, { ...cid, email: 'C@x.io' }]), {}, ['changed $[2].email']],
  ['a nested field', json({ user: { name: 'Ann' } }), json({ user: { name: 'Anne' } }), {}, ['changed $.user.name']],
  ['a missing and an added key', json({ a: 1, b: 2 }), json({ a: 1, c: 3 }), {}, ['missing $.b', 'added $.c']],
  ['a number against a numeric string', json({ id: 1 }), json({ id: '1' }), {}, ['type $.id']],
  ['null against a value', json({ approved_by: null }), json({ approved_by: 1 }), {}, ['type $.approved_by']],
  ['an object against an array', json({ a: {} }), json({ a: [] }), {}, ['type $.a']],
  ['false against 0', json([false]), json([0]), {}, ['type $[0]']],
  ['1 and 1.0 are the same number', text('{"n":1}', 'application/json'), text('{"n":1.0}', 'application/json'), {}, []],
  ['a longer list', json([1, 2]), json([1, 2, 3]), {}, ['added $[2]']],
  ['a shorter list', json([1, 2, 3]), json([1]), {}, ['missing $[1]', 'missing $[2]']],
  ['status always compared', json({ error: 'Not found' }, 404), json({ error: 'Not found' }, 200), {}, ['changed status']],
  ['content type compared', json({}), text('{}', 'text/html'), {}, ['changed content-type']],
  ['charset case and spacing do not matter', text('a', 'text/plain; charset=UTF-8'), text('a', 'text/plain;charset=utf-8'), {}, []],
  ['utf-8 charset on JSON is implied', text('{}', 'application/json'), text('{}', 'application/json; charset=utf-8'), {}, []],
  ['another charset is a difference', text('a', 'text/plain; charset=utf-8'), text('a', 'text/plain; charset=latin1'), {}, ['changed content-type']],
  ['a missing content type', text('a', 'text/plain'), { status: 200, headers: {}, body: Buffer.from('a') }, {}, ['missing content-type']],
  ['headers ignored unless listed', json({}, 200, { etag: 'a' }), json({}, 200, { etag: 'b' }), {}, []],
  ['listed headers compared, names in any case', json({}, 200, { etag: 'a', 'x-one': '1' }), json({}, 200, { etag: 'b' }), { headers: ['ETag', 'X-One'] }, ['changed header:etag', 'missing header:x-one']],
  ['ignore a key at any depth', json([{ ...user, created_at: 'a' }]), json([{ ...user, created_at: 'b' }]), { ignore: ['created_at'] }, []],
  ['ignore *.updated_at in nested and root objects', json({ updated_at: 1, x: { updated_at: 2 } }), json({ updated_at: 3, x: { updated_at: 4 } }), { ignore: ['*.updated_at'] }, []],
  ['ignore $[*].id but not other ids', json([{ id: 1, owner: { id: 5 } }]), json([{ id: 9, owner: { id: 6 } }]), { ignore: ['$[*].id'] }, ['changed $[0].owner.id']],
  ['an ignored key missing on one side', json({ a: 1, ts: 1 }), json({ a: 1 }), { ignore: ['ts'] }, []],
  ['ignoring a key ignores what is under it', json({ meta: { a: 1, b: [1] } }), json({ meta: { a: 2 } }), { ignore: ['$.meta'] }, []],
  ['arrays are ordered by default', json([user, bob]), json([bob, user]), {}, ['changed $[0].id', 'changed $[0].username', 'changed $[0].name', 'changed $[0].email', 'changed $[0].role', 'changed $[1].id', 'changed $[1].username', 'changed $[1].name', 'changed $[1].email', 'changed $[1].role']],
  ['unordered arrays are multisets', json([user, bob, cid]), json([cid, user, bob]), { unordered: true }, []],
  ['unordered: duplicates count', json(['a', 'a', 'b']), json(['a', 'b', 'b']), { unordered: true }, ['missing $[1]', 'added $[2]']],
  ['unordered: a changed element paired by id reads at the primary index', json([user, bob, cid]), json([cid, { ...bob, email: 'x@x.io' }, user]), { unordered: true }, ['changed $[1].email']],
  ['unordered: an element missing and one extra', json([user, bob]), json([cid, user]), { unordered: true }, ['missing $[1]', 'added $[0]']],
  ['unordered: ignores apply inside elements', json([{ id: 1, ts: 1 }, { id: 2, ts: 2 }]), json([{ id: 2, ts: 8 }, { id: 1, ts: 9 }]), { unordered: true, ignore: ['ts'] }, []],
  ['unordered by pattern: only the named arrays', json({ tags: ['a', 'b'], steps: [1, 2] }), json({ tags: ['b', 'a'], steps: [2, 1] }), { unordered: ['$.tags'] }, ['changed $.steps[0]', 'changed $.steps[1]']],
  ['text bodies: equal', text('hello'), text('hello'), {}, []],
  ['text bodies: first difference excerpt', text('<html>hello world</html>', 'text/html'), text('<html>hello there</html>', 'text/html'), {}, ['changed body']],
  ['JSON type but not JSON: compared as text', text('oops', 'application/json'), text('oops', 'application/json'), {}, []],
  ['binary bodies', text('\x00\x01', 'application/octet-stream'), text('\x00\x02', 'application/octet-stream'), {}, ['changed body']],
  ['both empty (204, HEAD)', { status: 204, headers: {}, body: Buffer.alloc(0) }, { status: 204, headers: {}, body: Buffer.alloc(0) }, {}, []],
  ['odd keys are quoted in paths', json({ 'a b': 1, '3': 1 }), json({ 'a b': 2, '3': 2 }), {}, ['changed $["3"]', 'changed $["a b"]']],
];

describe('diffResponses', () => {
  for (const [name, primary, shadow, options, expected] of cases) {
    it(name, () => {
      const r = diffResponses(primary, shadow, options);
      assert.deepEqual(r.differences.map((d) => `${d.kind} ${d.path}`), expected);
      assert.equal(r.match, expected.length === 0);
      assert.equal(r.omitted, 0);
    });
  }

  it('keeps both values of a difference', () => {
    const r = diffResponses(json([user, bob, cid]), json([user, bob, { ...cid, email: 'C@x.io' }]));
    assert.deepEqual(r.differences, [{ path: '$[2].email', kind: 'changed', primary: 'cid@x.io', shadow: 'C@x.io' }]);
  });

  it('has no value for the side a field is missing from', () => {
    const [d] = diffResponses(json({ a: 1 }), json({})).differences;
    assert.deepEqual(d, { path: '$.a', kind: 'missing', primary: 1 });
  });

  it('shows where two text bodies part', () => {
    const [d] = diffResponses(text('<html>hello world</html>', 'text/html'), text('<html>hello there</html>', 'text/html')).differences;
    assert.equal(d?.primary, 'at char 12: <html>hello world</html>');
    assert.equal(d?.shadow, 'at char 12: <html>hello there</html>');
  });

  it('caps the differences it keeps and counts the rest', () => {
    const a = Array.from({ length: 5000 }, (_, i) => ({ v: i }));
    const b = Array.from({ length: 5000 }, (_, i) => ({ v: -i - 1 }));
    const r = diffResponses(json(a), json(b));
    assert.equal(r.differences.length, 100);
    assert.equal(r.omitted, 4900);
    assert.equal(r.match, false);
    assert.equal(diffResponses(json(a), json(b), { maxDifferences: 3 }).differences.length, 3);
  });

  it('cuts big values down to a preview', () => {
    const big = { list: Array.from({ length: 1000 }, (_, i) => i) };
    const [d] = diffResponses(json({ a: big }), json({})).differences;
    assert.equal(typeof d?.primary, 'string');
    assert.match(String(d?.primary), /^object with 1 keys: \{"list":\[0,1,2/);
    assert.ok(String(d?.primary).length < 300);
    const [s] = diffResponses(json({ a: 'x'.repeat(5000) }), json({ a: 'y' })).differences;
    assert.match(String(s?.primary), /… \(5000 chars\)$/);
  });

  it('survives JSON nested deeper than the call stack', () => {
    const deep = (n: number, leaf: string) => '['.repeat(n) + JSON.stringify(leaf) + ']'.repeat(n);
    const r = diffResponses(text(deep(100_000, 'a'), 'application/json'), text(deep(100_000, 'b'), 'application/json'));
    assert.equal(r.match, false);
    assert.equal(r.differences.length, 1);
    assert.ok(r.differences[0]?.path.startsWith('$[0][0]'));
    assert.equal(diffResponses(text(deep(100_000, 'a'), 'application/json'), text(deep(100_000, 'a'), 'application/json')).match, true);
  });

  it('leaves out excluded (learned) fields and paths', () => {
    const r = createDiffer({});
    assert.ok(r.ok);
    const noise = compileIgnore(['$.nonce']);
    assert.ok(noise.ok);
    const res = r.differ.diff(json({ nonce: 1, a: 1 }), json({ nonce: 2, a: 2 }), { json: noise.matcher });
    assert.deepEqual(res.differences.map((d) => d.path), ['$.a']);
    const t = r.differ.diff(text('a'), text('b'), { paths: new Set(['body']) });
    assert.equal(t.match, true);
  });

  it('refuses bad ignore patterns up front, naming each', () => {
    const r = createDiffer({ ignore: ['ok', '$'], unordered: ['a['] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors.length, 2);
    assert.throws(() => diffResponses(json({}), json({}), { ignore: ['$'] }), /whole body/);
  });
});
