import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSameOrigin, ownOrigin } from './same-origin.js';

describe('same-origin check of unsafe console requests', () => {
  const own = 'http://127.0.0.1:5634';
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['this Origin', { origin: own }, true],
    ['this Origin, same-origin fetch', { origin: own, 'sec-fetch-site': 'same-origin' }, true],
    ['Sec-Fetch-Site same-origin alone', { 'sec-fetch-site': 'same-origin' }, true],
    ['another Origin', { origin: 'http://evil.example' }, false],
    ['another port', { origin: 'http://127.0.0.1:5635' }, false],
    ['https where the console is http', { origin: 'https://127.0.0.1:5634' }, false],
    ['the literal null Origin (sandboxed frame, file://)', { origin: 'null' }, false],
    ['a same-site sibling', { origin: own, 'sec-fetch-site': 'same-site' }, false],
    ['cross-site', { 'sec-fetch-site': 'cross-site' }, false],
    ['typed into the address bar', { 'sec-fetch-site': 'none' }, false],
    ['neither header', {}, false],
  ];
  for (const [what, headers, ok] of cases) {
    it(`${ok ? 'lets through' : 'refuses'} ${what}`, () => {
      const verdict = checkSameOrigin(headers, own);
      assert.equal(verdict.ok, ok);
      if (!verdict.ok) assert.match(verdict.reason, /refused/);
    });
  }

  it('names the setting to change when the page is https and the proxy thinks it is http', () => {
    const verdict = checkSameOrigin({ origin: 'https://127.0.0.1:5634' }, own);
    assert.equal(verdict.ok, false);
    if (!verdict.ok) assert.match(verdict.reason, /set COOKIE_SECURE=true/);
    const other = checkSameOrigin({ origin: 'http://evil.example' }, own);
    if (!other.ok) assert.doesNotMatch(other.reason, /COOKIE_SECURE/);
  });

  it('names its own origin from Host and TLS', () => {
    assert.equal(ownOrigin('Proxy.Example:8443', true), 'https://proxy.example:8443');
    assert.equal(ownOrigin('127.0.0.1:5634', false), own);
  });
});
