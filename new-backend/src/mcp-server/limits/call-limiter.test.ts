import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Limits } from '../policy/policy.js';
import { createCallLimiter } from './call-limiter.js';

const LIMITS: Limits = {
  maxOutputBytes: 1024, cpuSeconds: 1, fileSizeBytes: 1, openFiles: 16, processes: undefined,
  callsPerMinute: 6, burst: 2, concurrentPerIdentity: 2, concurrentTotal: 3,
};

describe('call limiter (M12)', () => {
  it('allows a burst, then refuses until tokens refill', () => {
    let now = 0;
    const limiter = createCallLimiter(() => LIMITS, () => now);
    assert.equal(limiter.admitCall('user:1').ok, true);
    assert.equal(limiter.admitCall('user:1').ok, true);
    const refused = limiter.admitCall('user:1');
    assert.ok(!refused.ok && refused.rule === 'limits:rate' && /at most 6 a minute; try again in 10 s/.test(refused.reason));
    assert.equal(limiter.admitCall('user:2').ok, true, 'another identity has its own bucket');
    now += 10_000;
    assert.equal(limiter.admitCall('user:1').ok, true, 'one token back after 10 s at 6/min');
    assert.equal(limiter.admitCall('user:1').ok, false);
  });

  it('caps calls running at once per identity and in total', () => {
    const limiter = createCallLimiter(() => LIMITS);
    const a1 = limiter.startRun('user:1');
    const a2 = limiter.startRun('user:1');
    assert.ok(a1.ok && a2.ok);
    const a3 = limiter.startRun('user:1');
    assert.ok(!a3.ok && /at most 2 at once per user/.test(a3.reason));
    const b1 = limiter.startRun('user:2');
    assert.ok(b1.ok);
    const b2 = limiter.startRun('user:2');
    assert.ok(!b2.ok && /busy \(3 commands running\)/.test(b2.reason));
    a1.release();
    a1.release(); // releasing twice frees one slot only
    const b3 = limiter.startRun('user:2');
    assert.ok(b3.ok);
    assert.equal(limiter.startRun('user:3').ok, false);
  });
});
