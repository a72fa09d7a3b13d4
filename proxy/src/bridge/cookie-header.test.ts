import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setsCookie, withoutSessionCookie, withSessionSetCookie } from './cookie-header.js';

describe('withoutSessionCookie', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['only the session cookie', 'connect.sid=s%3Aabc.def', undefined],
    ['no session cookie (returned as is)', 'theme=dark;a=b', 'theme=dark;a=b'],
    ['session cookie first', 'connect.sid=s%3Aabc.def; theme=dark', 'theme=dark'],
    ['session cookie last', 'theme=dark; connect.sid=s%3Aabc.def', 'theme=dark'],
    ['session cookie twice', 'connect.sid=x; refresh_token=r; connect.sid=y', 'refresh_token=r'],
    ['a look-alike name is kept', 'xconnect.sid=1; connect.sid=2', 'xconnect.sid=1'],
    ['empty pairs dropped', 'connect.sid=1;; a=b;', 'a=b'],
  ];
  for (const [label, header, expected] of cases) {
    it(label, () => assert.equal(withoutSessionCookie(header, 'connect.sid'), expected));
  }
  it('takes the configured cookie name (app.sid), leaving connect.sid alone', () => {
    assert.equal(withoutSessionCookie('connect.sid=1; app.sid=s%3Ax.y; a=b', 'app.sid'), 'connect.sid=1; a=b');
  });
});

describe('withSessionSetCookie', () => {
  const ours = 'connect.sid=s%3Anew.mac; Path=/; HttpOnly; SameSite=Lax';
  const cases: Array<[string, string | string[] | undefined, string[]]> = [
    ['none before', undefined, [ours]],
    ['a single other cookie', 'refresh_token=r; Path=/auth/refresh', ['refresh_token=r; Path=/auth/refresh', ours]],
    ['a backend session cookie is replaced', ['connect.sid=old; Path=/', 'a=b'], ['a=b', ours]],
  ];
  for (const [label, existing, expected] of cases) {
    it(label, () => assert.deepEqual(withSessionSetCookie(existing, [ours], 'connect.sid'), expected));
  }
});

describe('setsCookie', () => {
  it('tells whether an answer sets the named cookie', () => {
    assert.equal(setsCookie(undefined, 'app.sid'), false);
    assert.equal(setsCookie(['a=b', 'app.sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], 'app.sid'), true);
    assert.equal(setsCookie('xapp.sid=1', 'app.sid'), false);
  });
});
