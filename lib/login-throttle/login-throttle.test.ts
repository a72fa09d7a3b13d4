import { describe, it, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type SqliteDatabase } from '../sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import { addressKey, createLoginThrottle, usernameKey, type LoginAttempt, type LoginThrottle } from './login-throttle.js';
import { createLoginThrottleTable } from './login-throttle-schema.js';
import { sqliteThrottleSql } from './sqlite-throttle-sql.js';
import { DEFAULT_THROTTLE_RULES } from './throttle-rule.js';

const MINUTE = 60_000;

describe('login throttle', () => {
  const dir = tempDir('strangler-throttle-');
  const path = dir.file('app.db');
  // Two handles on one file: two processes, as the two backends are.
  const first: SqliteDatabase = openDatabase(path);
  const second: SqliteDatabase = openDatabase(path);
  createLoginThrottleTable(first);
  after(() => {
    first.close();
    second.close();
    dir.cleanup();
  });

  let now = 1_000_000;
  const clock = () => now;
  const one = createLoginThrottle(sqliteThrottleSql(first), { clock });
  const other = createLoginThrottle(sqliteThrottleSql(second), { clock });
  beforeEach(() => {
    first.exec('DELETE FROM login_throttle');
    now += 24 * 60 * MINUTE;
  });

  async function fail(throttle: LoginThrottle, username: string, address = '203.0.113.7'): Promise<LoginAttempt> {
    return throttle.begin(username, address);
  }

  it('lets five attempts at a username through, then refuses for 5 s, then 10 s', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await fail(one, 'bob')).ok, true, `attempt ${i + 1}`);
    assert.deepEqual(await fail(one, 'bob'), { ok: false, retryAfterSec: 5, lockedBy: 'username' });
    now += 4_001;
    assert.deepEqual(await fail(one, 'bob'), { ok: false, retryAfterSec: 1, lockedBy: 'username' });
    now += 1_000;
    assert.equal((await fail(one, 'bob')).ok, true);
    assert.deepEqual(await fail(one, 'bob'), { ok: false, retryAfterSec: 10, lockedBy: 'username' });
  });

  it('shares the counters between processes: the other backend sees the lock', async () => {
    for (let i = 0; i < 5; i++) await fail(one, 'carol');
    assert.equal((await fail(other, 'carol')).ok, false);
    assert.equal((await fail(other, 'CAROL')).ok, false, 'usernames are compared case-insensitively');
  });

  it('does not count refused attempts: hammering a lock does not lengthen it', async () => {
    for (let i = 0; i < 5; i++) await fail(one, 'dave');
    for (let i = 0; i < 20; i++) await fail(one, 'dave');
    now += 5_000;
    assert.equal((await fail(one, 'dave')).ok, true);
    assert.deepEqual(await fail(one, 'dave'), { ok: false, retryAfterSec: 10, lockedBy: 'username' });
  });

  it('starts the username again from zero after a successful login', async () => {
    for (let i = 0; i < 4; i++) await fail(one, 'erin');
    const right = await fail(one, 'erin');
    assert.ok(right.ok);
    await one.succeeded(right);
    for (let i = 0; i < 5; i++) assert.equal((await fail(other, 'erin')).ok, true, `attempt ${i + 1} after the success`);
  });

  it('locks an address after 50 attempts across any usernames (password spraying), and not its neighbours', async () => {
    for (let i = 0; i < 50; i++) assert.equal((await fail(one, `user${i}`, '198.51.100.9')).ok, true);
    assert.deepEqual(await fail(one, 'someone-new', '198.51.100.9'), { ok: false, retryAfterSec: 5, lockedBy: 'address' });
    assert.equal((await fail(one, 'someone-new', '198.51.100.10')).ok, true);
    // A refused address cost the username nothing.
    for (let i = 0; i < 4; i++) assert.equal((await fail(one, 'someone-new', '198.51.100.11')).ok, true);
  });

  it('takes a successful login back from the address counter, without clearing it', async () => {
    for (let i = 0; i < 49; i++) await fail(one, `v${i}`, '198.51.100.20');
    const right = await fail(one, 'frank', '198.51.100.20');
    assert.ok(right.ok);
    await one.succeeded(right);
    assert.equal((await fail(one, 'v-next', '198.51.100.20')).ok, true, 'the 50th counted attempt');
    assert.equal((await fail(one, 'v-last', '198.51.100.20')).ok, false);
  });

  it('forgets a username left alone for 15 minutes', async () => {
    for (let i = 0; i < 4; i++) await fail(one, 'gina');
    now += 15 * MINUTE;
    for (let i = 0; i < 5; i++) assert.equal((await fail(one, 'gina')).ok, true);
  });

  it('caps the lock at 15 minutes', async () => {
    for (let round = 0; round < 14; round++) {
      let attempt = await fail(one, 'hank');
      while (!attempt.ok) {
        now += attempt.retryAfterSec * 1000;
        attempt = await fail(one, 'hank');
      }
    }
    assert.deepEqual(await fail(one, 'hank'), { ok: false, retryAfterSec: 900, lockedBy: 'username' });
  });

  it('lets at most five of a burst of parallel guesses through, across both processes', async () => {
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => fail(i % 2 ? one : other, 'ivan', `192.0.2.${i}`)));
    const through = burst.filter((a) => a.ok).length;
    assert.ok(through >= 1 && through <= 5, `${through} got through`);
    assert.equal((await fail(one, 'ivan')).ok, false);
  });

  it('counts the username alone when the address is unknown', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await one.begin('judy', undefined)).ok, true);
    assert.equal((await one.begin('judy', undefined)).ok, false);
  });

  it('prunes counters nobody has touched for longer than a lock and its forgetting', async () => {
    await fail(one, 'kim');
    now += DEFAULT_THROTTLE_RULES.username.maxLockMs + DEFAULT_THROTTLE_RULES.username.forgetAfterMs + MINUTE;
    await fail(one, 'lee');
    const keys = first.prepare<[], { key: string }>('SELECT key FROM login_throttle').all().map((r) => r.key);
    assert.ok(!keys.includes(usernameKey('kim')));
    assert.ok(keys.includes(usernameKey('lee')));
  });
});

describe('throttle keys', () => {
  it('hashes a username, case-folded, and never stores it as typed', () => {
    assert.equal(usernameKey('Bob'), usernameKey('bob'));
    assert.match(usernameKey('hunter2'), /^user:[0-9a-f]{64}$/);
  });

  const addresses: [string, string][] = [
    ['203.0.113.7', 'addr:203.0.113.7'],
    ['::ffff:203.0.113.7', 'addr:203.0.113.7'],
    ['::FFFF:203.0.113.7', 'addr:203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', 'addr:2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', 'addr:2001:db8:1:2::/64'],
    ['2001:DB8::1', 'addr:2001:db8:0:0::/64'],
    ['::1', 'addr:0:0:0:0::/64'],
    ['fe80::1%eth0', 'addr:fe80:0:0:0::/64'],
    ['2001:db8:0:1::1.2.3.4', 'addr:2001:db8:0:1::/64'],
  ];
  for (const [address, key] of addresses) it(`keys ${address} as ${key}`, () => assert.equal(addressKey(address), key));
});
