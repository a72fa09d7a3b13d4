import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_TOKEN_MAX_TTL_SEC, canReuse, claimsKey, tokenExpiry, touchedExpiry, type CachedToken, type LiveSession } from './bridge-policy.js';
import { BoundedCache } from './bounded-cache.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const NOW_SEC = NOW / 1000;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('tokenExpiry', () => {
  const cases: Array<[string, number, number | undefined, number]> = [
    ['a day-long session: now + 5 min', NOW + DAY, undefined, NOW_SEC + 300],
    ['a session ending in 2 min: the session end', NOW + 2 * MIN, undefined, NOW_SEC + 120],
    ['a session ending mid-second: rounded down, never after it', NOW + 90_500, undefined, NOW_SEC + 90],
    ['a shorter ttl asked for', NOW + DAY, 60, NOW_SEC + 60],
    ['a longer ttl asked for is capped at 5 min', NOW + DAY, 3600, NOW_SEC + BRIDGE_TOKEN_MAX_TTL_SEC],
  ];
  for (const [label, sessionEnd, ttl, expected] of cases) {
    it(label, () => assert.equal(tokenExpiry(NOW, sessionEnd, ttl), expected));
  }
});

describe('canReuse', () => {
  const live: LiveSession = { sub: '7', claims: { role: 'user' }, expiresAt: NOW + DAY, originalMaxAge: DAY, validAfter: 0, revoked: false };
  const cached: CachedToken = { token: 't', jti: 'j', sub: '7', claimsKey: claimsKey({ role: 'user' }), iat: NOW_SEC - 60, exp: NOW_SEC + 240 };
  const cases: Array<[string, Partial<CachedToken>, Partial<LiveSession>, number, boolean]> = [
    ['a fresh token for the same session', {}, {}, NOW, true],
    ['another user now holds the session', {}, { sub: '8' }, NOW, false],
    ['the role changed', {}, { claims: { role: 'admin' } }, NOW, false],
    ['a claim was added', {}, { claims: { role: 'user', team: 'ops' } }, NOW, false],
    ['its jti was revoked', {}, { revoked: true }, NOW, false],
    ['issued before the password change', {}, { validAfter: NOW_SEC }, NOW, false],
    ['issued in the second of tokens-valid-after', {}, { validAfter: NOW_SEC - 60 }, NOW, true],
    ['it would outlive the session', {}, { expiresAt: NOW + 200_000 }, NOW, false],
    ['within the reuse margin of its expiry', {}, {}, NOW + 200_000, false],
    ['just outside the margin', {}, {}, NOW + 194_000, true],
    ['expired', {}, {}, NOW + 300_000, false],
  ];
  for (const [label, token, session, at, expected] of cases) {
    it(`${expected ? 'reuses' : 'does not reuse'}: ${label}`, () => {
      assert.equal(canReuse({ ...cached, ...token }, { ...live, ...session }, at), expected);
    });
  }
});

describe('touchedExpiry', () => {
  const cases: Array<[string, { expiresAt: number; originalMaxAge: number | null }, number | undefined]> = [
    ['touched just now: no write', { expiresAt: NOW + DAY - 1000, originalMaxAge: DAY }, undefined],
    ['touched a minute ago: moved to now + max age', { expiresAt: NOW + DAY - MIN, originalMaxAge: DAY }, NOW + DAY],
    ['touched an hour ago', { expiresAt: NOW + DAY - 60 * MIN, originalMaxAge: DAY }, NOW + DAY],
    ['a browser-session cookie (no max age): never', { expiresAt: NOW + MIN, originalMaxAge: null }, undefined],
    ['a nonsense max age: never', { expiresAt: NOW + MIN, originalMaxAge: -5 }, undefined],
  ];
  for (const [label, live, expected] of cases) {
    it(label, () => assert.equal(touchedExpiry(live, NOW, MIN), expected));
  }
});

describe('BoundedCache', () => {
  const token = (n: number): CachedToken => ({ token: `t${n}`, jti: `j${n}`, sub: String(n), claimsKey: '[]', iat: 0, exp: 1 });

  it('keeps at most maxEntries, dropping the least recently stored', () => {
    const cache = new BoundedCache<CachedToken>(2);
    cache.set('a', token(1));
    cache.set('b', token(2));
    cache.set('a', token(3));
    cache.set('c', token(4));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a')?.token, 't3');
    assert.equal(cache.get('c')?.token, 't4');
  });

  it('refuses a nonsense bound', () => {
    assert.throws(() => new BoundedCache<CachedToken>(0), /positive integer/);
  });
});
