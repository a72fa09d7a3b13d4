import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { expressSessionMaxAge } from './express-session.js';

// express-session's Cookie class, as the apps under test construct it on login.
const Cookie = createRequire(import.meta.url)('express-session/session/cookie.js') as new (options: { maxAge: number }) => { originalMaxAge: number };

describe('expressSessionMaxAge', () => {
  it("accepts the configured value and one a clock tick short, and returns the app's own", () => {
    assert.equal(expressSessionMaxAge(60_000, 60_000), 60_000);
    assert.equal(expressSessionMaxAge(59_999, 60_000), 59_999);
  });

  it('refuses more than configured, far less, and anything not a number', () => {
    for (const wrong of [60_001, 50_000, '60000', null, undefined]) {
      assert.throws(() => expressSessionMaxAge(wrong, 60_000), /originalMaxAge/, String(wrong));
    }
  });

  it("accepts what express-session's own Cookie computes, 20,000 times over", () => {
    for (let i = 0; i < 20_000; i += 1) expressSessionMaxAge(new Cookie({ maxAge: 86_400_000 }).originalMaxAge, 86_400_000);
  });
});
