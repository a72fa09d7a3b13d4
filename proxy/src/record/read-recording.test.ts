import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readRecording } from './read-recording.js';

const header = { recording: 1, id: 'users-1', route: 'users', startedAt: '2026-01-01T00:00:00.000Z', limits: { bodyBytes: 65536, fileBytes: 52428800, exchanges: 2, durationMs: null }, redacted: ['password'] };
const exchange = (seq: number, over: Record<string, unknown> = {}) => ({
  seq, at: '2026-01-01T00:00:01.000Z', offsetMs: seq, durationMs: 2, user: '1', method: 'GET', path: '/users', query: '', backend: 'legacy',
  request: { headers: {}, encoding: 'none', body: null, truncated: false },
  response: { status: 200, headers: { 'content-type': 'application/json' }, encoding: 'json', body: [], truncated: false },
  ...over,
});
const footer = (exchanges = 2) => ({ end: true, endedAt: '2026-01-01T00:00:02.000Z', reason: 'count', exchanges, skipped: 0 });
const file = (...lines: unknown[]) => `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

describe('reading a recording', () => {
  it('reads the header, the exchanges in order and the closing line', () => {
    const r = readRecording(file(header, exchange(1), exchange(2, { method: 'POST' }), footer()), 'users.jsonl');
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.exchanges.map((e) => e.method), ['GET', 'POST']);
    assert.equal(r.footer.reason, 'count');
  });

  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /users\.jsonl: empty/],
    ['a file cut short', file(header, exchange(1)), /users\.jsonl:2: the closing line is missing: the recording was cut short/],
    ['a line cut in the middle', file(header, exchange(1), '{"seq":2,"at":"20', footer()), /users\.jsonl:3: not JSON .*edited or cut/],
    ['a field edited by hand', file(header, exchange(1, { response: { status: 'ok' } }), exchange(2), footer()), /users\.jsonl:2: response\.status: /],
    ['an exchange taken out', file(header, exchange(1), exchange(3), footer()), /users\.jsonl:3: seq 3 where 2 was expected/],
    ['a count that does not add up', file(header, exchange(1), footer(2)), /users\.jsonl:3: the closing line counts 2 exchanges, the file holds 1/],
    ['not a recording', file({ hello: 1 }, footer(0)), /users\.jsonl:1: recording: /],
  ];
  for (const [name, text, error] of cases) {
    it(`refuses ${name}, naming the line`, () => {
      const r = readRecording(text, 'users.jsonl');
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.errors.join('\n'), error);
    });
  }

  it('warns about exchanges whose bodies were too long to keep', () => {
    const r = readRecording(file(header, exchange(1, { request: { headers: {}, encoding: 'none', body: null, truncated: true }, method: 'PUT' }), footer(1)), 'users.jsonl');
    assert.ok(r.ok);
    assert.match(r.warnings.join('\n'), /users\.jsonl:2: PUT \/users: a body was over 65536 bytes and not kept/);
  });
});
