/**
 * How hard one counter (a username, or a client address) is throttled. Failures within
 * `lockAfter` pass freely; from then on each one locks the counter for a delay that doubles,
 * from `firstLockMs` up to `maxLockMs`. A counter left alone for `forgetAfterMs` after its
 * lock ends starts again from zero.
 */
export interface ThrottleRule {
  readonly lockAfter: number;
  readonly firstLockMs: number;
  readonly maxLockMs: number;
  readonly forgetAfterMs: number;
}

/** One counter as stored: attempts counted (failures until a success clears it), and when the last one was. */
export interface ThrottleCounter {
  readonly failures: number;
  readonly lastAt: number;
}

export interface ThrottleRules {
  readonly username: ThrottleRule;
  readonly address: ThrottleRule;
}

const MINUTE = 60_000;

/**
 * Per username: 5 tries, then 5 s, 10 s, 20 s … up to 15 min between tries (OWASP's
 * "exponential lockout"); a person who mistypes a few times never waits. Per address: 50
 * failures across any usernames (password spraying), more lenient because one address
 * may be a whole office behind NAT, or every user of a developer's machine.
 */
export const DEFAULT_THROTTLE_RULES: ThrottleRules = Object.freeze({
  username: Object.freeze({ lockAfter: 5, firstLockMs: 5_000, maxLockMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE }),
  address: Object.freeze({ lockAfter: 50, firstLockMs: 5_000, maxLockMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE }),
});

/** When the counter's lock ends (epoch ms); at or before `lastAt` when it is not locked. */
export function lockedUntil(counter: ThrottleCounter, rule: ThrottleRule): number {
  if (counter.failures < rule.lockAfter) return counter.lastAt;
  // Capped before shifting: 2 ** 60 ms is no delay anyone needs, and it would overflow the ms.
  const doublings = Math.min(counter.failures - rule.lockAfter, 30);
  return counter.lastAt + Math.min(rule.maxLockMs, rule.firstLockMs * 2 ** doublings);
}

/** The counter as it stands at `now`: undefined once it has been forgotten. */
export function currentCounter(counter: ThrottleCounter | undefined, rule: ThrottleRule, now: number): ThrottleCounter | undefined {
  if (!counter) return undefined;
  return now >= Math.max(counter.lastAt, lockedUntil(counter, rule)) + rule.forgetAfterMs ? undefined : counter;
}

/** How long (ms) until the counter accepts an attempt; 0 when it does now. */
export function waitMs(counter: ThrottleCounter | undefined, rule: ThrottleRule, now: number): number {
  const current = currentCounter(counter, rule, now);
  return current ? Math.max(0, lockedUntil(current, rule) - now) : 0;
}

/** The counter after one more attempt at `now`. */
export function counted(counter: ThrottleCounter | undefined, rule: ThrottleRule, now: number): ThrottleCounter {
  const current = currentCounter(counter, rule, now);
  return { failures: (current?.failures ?? 0) + 1, lastAt: now };
}

/** Rules are checked once, when a throttle is made, with the fix in the message. */
export function checkRule(name: string, rule: ThrottleRule): void {
  for (const [key, value] of Object.entries(rule)) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`login throttle: ${name}.${key} must be a positive integer, got ${String(value)}`);
  }
  if (rule.maxLockMs < rule.firstLockMs) throw new Error(`login throttle: ${name}.maxLockMs (${rule.maxLockMs}) must be at least firstLockMs (${rule.firstLockMs})`);
}
