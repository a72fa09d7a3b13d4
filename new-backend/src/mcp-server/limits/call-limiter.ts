import type { Limits } from '../policy/policy.js';

export type Admission = { ok: true; release: () => void } | { ok: false; rule: 'limits:rate' | 'limits:concurrency'; reason: string };

/**
 * Rate and concurrency limits on tools/call (M12): a token bucket per identity
 * (`burst` calls at once, refilled at `callsPerMinute`), and caps on calls running at
 * once per identity and in total. Limits are read per call, so a policy reload applies
 * at once.
 */
export function createCallLimiter(limits: () => Limits, clock: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const running = new Map<string, number>();
  let total = 0;

  /** Spends one token for `identity`; call at the start of every tools/call. */
  function admitCall(identity: string): { ok: true } | { ok: false; rule: 'limits:rate'; reason: string } {
    const { callsPerMinute, burst } = limits();
    const now = clock();
    const bucket = buckets.get(identity) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 60_000) * callsPerMinute);
    bucket.at = now;
    buckets.set(identity, bucket);
    if (bucket.tokens < 1) {
      const waitSec = Math.ceil(((1 - bucket.tokens) * 60) / callsPerMinute);
      return { ok: false, rule: 'limits:rate', reason: `Too many commands: at most ${callsPerMinute} a minute; try again in ${waitSec} s` };
    }
    bucket.tokens -= 1;
    if (buckets.size > 10_000) prune(now);
    return { ok: true };
  }

  /** Takes a running slot; the caller must call `release` when the program ends. */
  function startRun(identity: string): Admission {
    const { concurrentPerIdentity, concurrentTotal } = limits();
    const mine = running.get(identity) ?? 0;
    if (mine >= concurrentPerIdentity) {
      return { ok: false, rule: 'limits:concurrency', reason: `Too many commands running: at most ${concurrentPerIdentity} at once per user; wait for one to finish` };
    }
    if (total >= concurrentTotal) {
      return { ok: false, rule: 'limits:concurrency', reason: `The command service is busy (${concurrentTotal} commands running): try again shortly` };
    }
    running.set(identity, mine + 1);
    total += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (running.get(identity) ?? 1) - 1;
        if (left > 0) running.set(identity, left);
        else running.delete(identity);
      },
    };
  }

  function prune(now: number): void {
    const { burst, callsPerMinute } = limits();
    for (const [key, b] of buckets) if (b.tokens + ((now - b.at) / 60_000) * callsPerMinute >= burst) buckets.delete(key);
  }

  return { admitCall, startRun };
}

export type CallLimiter = ReturnType<typeof createCallLimiter>;
