import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRule, counted, currentCounter, lockedUntil, waitMs, type ThrottleRule } from './throttle-rule.js';

const RULE: ThrottleRule = { lockAfter: 3, firstLockMs: 1000, maxLockMs: 8000, forgetAfterMs: 60_000 };

describe('throttle rule', () => {
  const locks: [number, number][] = [[1, 0], [2, 0], [3, 1000], [4, 2000], [5, 4000], [6, 8000], [7, 8000], [1000, 8000]];
  for (const [failures, lock] of locks) {
    it(`locks ${lock} ms after ${failures} counted attempts`, () => {
      assert.equal(lockedUntil({ failures, lastAt: 10_000 }, RULE) - 10_000, lock);
    });
  }

  it('waits out the rest of a lock, and nothing once it is over', () => {
    const counter = { failures: 4, lastAt: 10_000 };
    assert.equal(waitMs(counter, RULE, 10_500), 1500);
    assert.equal(waitMs(counter, RULE, 12_000), 0);
    assert.equal(waitMs(undefined, RULE, 12_000), 0);
  });

  it('forgets a counter left alone for forgetAfterMs after its lock ends', () => {
    const counter = { failures: 6, lastAt: 0 };
    assert.deepEqual(currentCounter(counter, RULE, 8000 + 59_999), counter);
    assert.equal(currentCounter(counter, RULE, 8000 + 60_000), undefined);
    assert.deepEqual(counted(counter, RULE, 8000 + 60_000), { failures: 1, lastAt: 68_000 });
    assert.deepEqual(counted(counter, RULE, 9000), { failures: 7, lastAt: 9000 });
  });

  it('refuses a rule that makes no sense, naming the field', () => {
    assert.throws(() => checkRule('username', { ...RULE, lockAfter: 0 }), /^Error: login throttle: username\.lockAfter must be a positive integer, got 0$/);
    assert.throws(() => checkRule('address', { ...RULE, maxLockMs: 10 }), /address\.maxLockMs \(10\) must be at least firstLockMs \(1000\)/);
  });
});
