import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGES, validateLogin, validateNewUser, validateUserChanges } from './user-validation.js';

const valid = { username: 'alice.b-c_1', name: 'Alice', email: 'alice@example.test', password: '12345678' };

describe('validateLogin', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['both filled', { username: 'a', password: 'b' }, true],
    ['no username', { password: 'b' }, false],
    ['empty password', { username: 'a', password: '' }, false],
    ['username as array (repeated form field)', { username: ['a', 'b'], password: 'b' }, false],
    ['password as number', { username: 'a', password: 1 }, false],
  ];
  for (const [label, body, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${label}`, () => {
      const result = validateLogin(body);
      assert.equal(result.ok, ok);
      if (!result.ok) assert.equal(result.message, MESSAGES.loginRequired);
    });
  }
});

describe('validateNewUser', () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['a valid user', valid, undefined],
    ['a valid admin', { ...valid, role: 'admin' }, undefined],
    ['a 3-character username', { ...valid, username: 'abc' }, undefined],
    ['a 32-character username', { ...valid, username: 'a'.repeat(32) }, undefined],
    ['a 100-character name', { ...valid, name: 'n'.repeat(100) }, undefined],
    ['a 200-character password', { ...valid, password: 'p'.repeat(200) }, undefined],
    ['a 254-character email', { ...valid, email: `${'e'.repeat(247)}@x.test` }, undefined],
    ['a missing email', { ...valid, email: undefined }, MESSAGES.createRequired],
    ['an empty username', { ...valid, username: '' }, MESSAGES.createRequired],
    ['a username with a slash', { ...valid, username: 'a/b' }, MESSAGES.username],
    ['a username with unicode letters', { ...valid, username: 'äbc' }, MESSAGES.username],
    ['a name of spaces', { ...valid, name: '  ' }, MESSAGES.name],
    ['a 101-character name', { ...valid, name: 'n'.repeat(101) }, MESSAGES.name],
    ['an email with a space', { ...valid, email: 'a b@c.de' }, MESSAGES.email],
    ['a 255-character email', { ...valid, email: `${'e'.repeat(248)}@x.test` }, MESSAGES.email],
    ['a 7-character password', { ...valid, password: '1234567' }, MESSAGES.password],
    ['role "Admin" (case matters)', { ...valid, role: 'Admin' }, MESSAGES.role],
    ['role null', { ...valid, role: null }, MESSAGES.role],
    ['bad name and bad password: name first', { ...valid, name: ' ', password: 'x' }, MESSAGES.name],
  ];
  for (const [label, body, message] of cases) {
    it(`${message ? 'refuses' : 'accepts'} ${label}`, () => {
      const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      const result = validateNewUser(clean);
      if (message === undefined) assert.ok(result.ok, JSON.stringify(result));
      else assert.deepEqual(result, { ok: false, message });
    });
  }

  it('trims name and email, defaults the role to user, drops unknown fields', () => {
    const result = validateNewUser({ ...valid, name: ' Alice ', email: ' alice@example.test ', id: 9, extra: 1 });
    assert.deepEqual(result, { ok: true, value: { username: valid.username, role: 'user', name: 'Alice', email: 'alice@example.test', password: valid.password } });
  });

  it('keeps the password exactly as given (no trimming)', () => {
    const result = validateNewUser({ ...valid, password: ' spaced password ' });
    assert.ok(result.ok);
    assert.equal(result.value.password, ' spaced password ');
  });
});

describe('validateUserChanges', () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['an empty body', {}, undefined],
    ['a name only', { name: 'Bob' }, undefined],
    ['username (ignored)', { username: '!!' }, undefined],
    ['a name that is a number', { name: 5 }, MESSAGES.name],
    ['an email that is null', { email: null }, MESSAGES.email],
    ['a password that is an object', { password: { a: 1 } }, MESSAGES.password],
    ['role "superuser"', { role: 'superuser' }, MESSAGES.role],
    ['bad email and bad role: email first', { role: 'x', email: 'x' }, MESSAGES.email],
  ];
  for (const [label, body, message] of cases) {
    it(`${message ? 'refuses' : 'accepts'} ${label}`, () => {
      const result = validateUserChanges(body);
      if (message === undefined) assert.ok(result.ok, JSON.stringify(result));
      else assert.deepEqual(result, { ok: false, message });
    });
  }

  it('returns only the fields present, trimmed', () => {
    assert.deepEqual(validateUserChanges({ email: ' b@c.de ', username: 'x' }), { ok: true, value: { email: 'b@c.de' } });
  });
});
