import assert from 'node:assert/strict';

/**
 * The `originalMaxAge` express-session stored for a cookie configured with `maxAge`.
 *
 * express-session sets `expires = now + maxAge`, then computes `originalMaxAge` as
 * `expires - Date.now()`. A clock tick in between makes it a millisecond short (25 in 200,000
 * new cookies on this machine; more on a busy one). So a test compares the app's own value,
 * after checking it is that one, never the configured figure.
 *
 * @example
 * const maxAge = expressSessionMaxAge(stored.cookie.originalMaxAge, SESSION_MAX_AGE_MS);
 */
export function expressSessionMaxAge(actual: unknown, configured: number, what = 'originalMaxAge'): number {
  const value = Number(actual);
  assert.ok(typeof actual === 'number' && value <= configured && value > configured - 5_000, `${what} ${String(actual)}: express-session's value for maxAge ${configured} is at most that and a few ms less`);
  return value;
}
