import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sessionIdFromCookieHeader } from './identify.js';

describe('sessionIdFromCookieHeader', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['connect.sid=s%3Aabc123.signature', 'abc123'],
    ['theme=dark; connect.sid=s%3Aabc.def.sig; other=1', 'abc.def'],
    ['connect.sid=s:plain.sig', 'plain'],
    ['xconnect.sid=s%3Anot-this.sig', undefined],
    ['connect.sid=unsigned', undefined],
    ['connect.sid=s%3A.sig', undefined],
    ['connect.sid=%E0%A4%A', undefined],
    ['theme=dark', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, sid] of cases) {
    it(`reads ${JSON.stringify(header)} as ${sid ?? 'no session'}`, () => assert.equal(sessionIdFromCookieHeader(header), sid));
  }
});
