import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Response } from 'express';
import { CONTRACT_MESSAGES } from '../http/contract-messages.js';
import { sendError } from '../http/send-error.js';
import { checkRule, counted, DEFAULT_THROTTLE_RULES, waitMs, type ThrottleCounter, type ThrottleRule, type ThrottleRules } from './throttle-rule.js';

/**
 * The narrow seam to the shared database: one statement at a time, positional `?`
 * parameters. The legacy app runs it on better-sqlite3, the new backend through Kysely;
 * the SQL below is the same for both.
 */
export interface ThrottleSql {
  run(sql: string, params: readonly (string | number)[]): Promise<{ readonly rows: readonly Record<string, unknown>[]; readonly changes: number }>;
}

export interface LoginThrottleOptions {
  readonly rules?: ThrottleRules;
  readonly clock?: () => number;
}

/** A login attempt that may go ahead (it is already counted), or one refused for `retryAfterSec`. */
export type LoginAttempt =
  | { readonly ok: true; readonly keys: readonly string[] }
  | { readonly ok: false; readonly retryAfterSec: number; readonly lockedBy: 'username' | 'address' };

export interface LoginThrottle {
  /**
   * Counts an attempt for the username and the client address before the password is
   * checked, or refuses it while either is locked. Counting first means a burst of parallel
   * guesses cannot all slip in before the first failure is written; a refused attempt is
   * not counted, so hammering a lock does not lengthen it.
   */
  begin(username: string, address: string | undefined): Promise<LoginAttempt>;
  /**
   * The password was right: the username's counter starts again from zero, and this
   * attempt is taken back from the address's counter (only taken back: a working login
   * must not let a password sprayer on the same address start over).
   */
  succeeded(attempt: Extract<LoginAttempt, { ok: true }>): Promise<void>;
}

const SQL = {
  read: 'SELECT key, failures, last_at FROM login_throttle WHERE key = ? OR key = ?',
  insert: 'INSERT INTO login_throttle (key, failures, last_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
  // Compare-and-swap: the write lands only if nobody (in any process) changed the row since it was read.
  swap: 'UPDATE login_throttle SET failures = ?, last_at = ? WHERE key = ? AND failures = ? AND last_at = ?',
  clear: 'DELETE FROM login_throttle WHERE key = ?',
  prune: 'DELETE FROM login_throttle WHERE last_at < ?',
} as const;

const RACES = 5;
const PRUNE_EVERY_MS = 60_000;

/**
 * Login throttling shared by both backends through the database: per username and per
 * client address, with doubling locks (throttle-rule.ts).
 *
 * @example
 * const attempt = await throttle.begin(username, req.ip);
 * if (!attempt.ok) return refuseThrottled(res, attempt);
 * if (await passwordMatches()) await throttle.succeeded(attempt);
 */
export function createLoginThrottle(sql: ThrottleSql, options: LoginThrottleOptions = {}): LoginThrottle {
  const rules = options.rules ?? DEFAULT_THROTTLE_RULES;
  checkRule('username', rules.username);
  checkRule('address', rules.address);
  const clock = options.clock ?? Date.now;
  const keep = Math.max(...[rules.username, rules.address].map((r) => r.maxLockMs + r.forgetAfterMs));
  let prunedAt = 0;

  async function read(keys: readonly string[]): Promise<Map<string, ThrottleCounter>> {
    const { rows } = await sql.run(SQL.read, [keys[0] ?? '', keys[1] ?? keys[0] ?? '']);
    return new Map(rows.map((r) => [String(r.key), { failures: Number(r.failures), lastAt: Number(r.last_at) }]));
  }

  /** Counts one attempt on a key; the wait (ms) instead when it is locked. */
  async function take(key: string, rule: ThrottleRule, now: number): Promise<number> {
    for (let race = 0; race < RACES; race++) {
      const row = (await read([key])).get(key);
      const wait = waitMs(row, rule, now);
      if (wait > 0) return wait;
      const next = counted(row, rule, now);
      const { changes } = row
        ? await sql.run(SQL.swap, [next.failures, next.lastAt, key, row.failures, row.lastAt])
        : await sql.run(SQL.insert, [key, next.failures, next.lastAt]);
      if (changes === 1) return 0;
    }
    // Lost every race: a flood of attempts on this key. Refusing is the safe answer.
    return rule.firstLockMs;
  }

  async function prune(now: number): Promise<void> {
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    await sql.run(SQL.prune, [now - keep]);
  }

  return {
    async begin(username, address) {
      const now = clock();
      await prune(now);
      const checks: { key: string; rule: ThrottleRule; kind: 'username' | 'address' }[] = [{ key: usernameKey(username), rule: rules.username, kind: 'username' }];
      if (address) checks.push({ key: addressKey(address), rule: rules.address, kind: 'address' });
      // Both are looked at before either is counted, so a locked address does not also cost the username a try.
      const counters = await read(checks.map((c) => c.key));
      for (const check of checks) {
        const wait = waitMs(counters.get(check.key), check.rule, now);
        if (wait > 0) return refused(wait, check.kind);
      }
      for (const check of checks) {
        const wait = await take(check.key, check.rule, now);
        if (wait > 0) return refused(wait, check.kind);
      }
      return { ok: true, keys: checks.map((c) => c.key) };
    },

    async succeeded(attempt) {
      const [userKey, addrKey] = attempt.keys;
      if (userKey) await sql.run(SQL.clear, [userKey]);
      if (!addrKey) return;
      for (let race = 0; race < RACES; race++) {
        const row = (await read([addrKey])).get(addrKey);
        if (!row || row.failures === 0) return;
        const { changes } = await sql.run(SQL.swap, [row.failures - 1, row.lastAt, addrKey, row.failures, row.lastAt]);
        if (changes === 1) return;
      }
    },
  };
}

function refused(waitMs: number, lockedBy: 'username' | 'address'): LoginAttempt {
  return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)), lockedBy };
}

/** `429 {"error":"Too many login attempts, try again later"}` with `Retry-After` in seconds. */
export function refuseThrottled(res: Response, attempt: Extract<LoginAttempt, { ok: false }>): void {
  res.setHeader('Retry-After', String(attempt.retryAfterSec));
  sendError(res, 429, CONTRACT_MESSAGES.tooManyLogins);
}

/** Case-folded (`Bob` and `bob` share a counter) and hashed (what people type as a username may be a password). */
export function usernameKey(username: string): string {
  return `user:${createHash('sha256').update(username.toLowerCase()).digest('hex')}`;
}

/**
 * An IPv4 address as is (IPv4-mapped IPv6 unwrapped); an IPv6 address by its /64, the
 * block one subscriber gets, so that rotating through it does not reset the counter.
 */
export function addressKey(address: string): string {
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : '';
  if (isIPv4(mapped)) return `addr:${mapped}`;
  if (isIPv6(address)) return `addr:${ipv6Prefix64(address)}::/64`;
  return `addr:${address}`;
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [];
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  // A dotted IPv4 tail stands for two groups.
  const backGroups = back.length + (back.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - backGroups)).fill('0'), ...back];
  return groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':');
}
