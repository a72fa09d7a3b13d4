import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOutageBackoff } from './outage-backoff.js';

describe('outage backoff', () => {
  it('lets every call through while the peer answers', () => {
    const backoff = createOutageBackoff();
    for (let i = 0; i < 5; i++) assert.equal(backoff.mayCall(i), true);
  });

  it('pauses after a failure, doubling the pause with each failed probe up to the cap', () => {
    const backoff = createOutageBackoff({ firstPauseMs: 100, maxPauseMs: 350 });
    assert.equal(backoff.failed(0), true, 'the first failure starts an outage');
    const pauses: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      const from = now;
      while (!backoff.mayCall(now)) now += 10;
      pauses.push(now - from);
      assert.equal(backoff.failed(now), false, 'later failures are the same outage');
    }
    assert.deepEqual(pauses, [100, 200, 350, 350]);
  });

  it('sends one probe when a pause ends, and counts failures that were in flight together as one', () => {
    const backoff = createOutageBackoff({ firstPauseMs: 100 });
    backoff.failed(0);
    backoff.failed(1);
    backoff.failed(2);
    assert.equal(backoff.failures, 1);
    assert.equal(backoff.mayCall(100), true);
    assert.equal(backoff.mayCall(100), false, 'only one probe at a time');
    assert.equal(backoff.succeeded(), true, 'the probe answered: the outage ends');
    assert.equal(backoff.mayCall(101), true);
    assert.equal(backoff.mayCall(101), true);
    assert.equal(backoff.failures, 0);
  });
});
