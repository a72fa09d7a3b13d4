import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { CLOCK_TOLERANCE_SEC } from '../../../lib/tokens.js';
import { openDatabase } from '../../../lib/sqlite.js';
import { tempDir } from '../../../test/kit/index.js';
import { createKysely } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import type { Database } from '../db/schema.js';
import { createRefreshTokens, hashRefreshToken } from './refresh-tokens.js';
import { createTokenState } from './token-state.js';

describe('revocation state and refresh families in the database', () => {
  const dir = tempDir();
  let db: Kysely<Database>;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const sec = () => Math.floor(now / 1000);
  let userId: number;
  before(async () => {
    db = createKysely(openDatabase(dir.file('app.db')));
    assert.ok((await migrateToLatest(db)).ok);
    userId = (await db.insertInto('users').values({ username: 'u', name: 'U', email: 'u@x.io', password: 'h' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  after(async () => {
    await db.destroy();
    dir.cleanup();
  });

  it('keeps a denylist row until exp plus the clock tolerance, then prunes it on the next revoke', async () => {
    const state = createTokenState(db, clock);
    await state.revoke('a', sec() + 60);
    await state.revoke('a', sec() + 60); // twice is fine
    const row = await db.selectFrom('revoked_tokens').selectAll().where('jti', '=', 'a').executeTakeFirstOrThrow();
    assert.equal(row.expires_at, sec() + 60 + CLOCK_TOLERANCE_SEC);
    assert.equal(row.iss, 'urn:strangler:auth');
    now += (60 + CLOCK_TOLERANCE_SEC + 1) * 1000;
    await state.revoke('b', sec() + 60);
    const left = (await db.selectFrom('revoked_tokens').select('jti').execute()).map((r) => r.jti);
    assert.deepEqual(left, ['b']);
  });

  it('sets tokens-valid-after to the next second, so every token of this second is refused', async () => {
    const state = createTokenState(db, clock);
    assert.equal(await state.validAfter(userId), 0);
    assert.equal(await state.invalidateUser(userId), sec() + 1);
    assert.equal(await state.validAfter(userId), sec() + 1);
    now += 5000;
    assert.equal(await state.invalidateUser(userId), sec() + 1, 'a later change moves it on');
  });

  it('spends a refresh token once; a second spend revokes the family and denylists its access tokens', async () => {
    const refresh = createRefreshTokens(db, { clock });
    const validAfter = async () => 0;
    const first = await refresh.issue(userId, { jti: 'acc-1', iat: sec(), exp: sec() + 900 });
    assert.ok(first);
    const spent = await refresh.spend(first.token, validAfter);
    assert.ok(spent.ok);
    const family = { id: spent.familyId, expiresAt: spent.familyExpiresAt };
    const second = await refresh.issue(userId, { jti: 'acc-2', iat: sec(), exp: sec() + 900 }, family);
    assert.ok(second);
    assert.deepEqual(await refresh.spend(first.token, validAfter), { ok: false, reason: 'replayed' });
    assert.deepEqual(await refresh.spend(second.token, validAfter), { ok: false, reason: 'revoked' });
    // A rotation still in flight when the family died cannot add a live token to it.
    assert.equal(await refresh.issue(userId, { jti: 'acc-late', iat: sec(), exp: sec() + 900 }, family), undefined);
    const denied = (await db.selectFrom('revoked_tokens').select('jti').where('jti', 'in', ['acc-1', 'acc-2']).execute()).map((r) => r.jti).sort();
    assert.deepEqual(denied, ['acc-1', 'acc-2']);
  });

  it('refuses a token issued before tokens-valid-after as stale, and an expired one', async () => {
    const refresh = createRefreshTokens(db, { clock, ttlSec: 60 });
    const stale = await refresh.issue(userId, { jti: 'acc-3', iat: sec(), exp: sec() + 900 });
    assert.ok(stale);
    assert.deepEqual(await refresh.spend(stale.token, async () => sec() + 1), { ok: false, reason: 'stale' });
    const old = await refresh.issue(userId, { jti: 'acc-4', iat: sec(), exp: sec() + 900 });
    assert.ok(old);
    now += 61_000;
    assert.deepEqual(await refresh.spend(old.token, async () => 0), { ok: false, reason: 'expired' });
    assert.deepEqual(await refresh.spend('never-issued', async () => 0), { ok: false, reason: 'unknown' });
  });

  it('drops rows whose family has expired when issuing', async () => {
    const refresh = createRefreshTokens(db, { clock, familyTtlSec: 100 });
    const doomed = await refresh.issue(userId, { jti: 'acc-5', iat: sec(), exp: sec() + 900 });
    assert.ok(doomed);
    now += 101_000;
    await refresh.issue(userId, { jti: 'acc-6', iat: sec(), exp: sec() + 900 });
    const row = await db.selectFrom('refresh_tokens').select('token_hash').where('token_hash', '=', hashRefreshToken(doomed.token)).executeTakeFirst();
    assert.equal(row, undefined);
  });
});
