import type { Logger } from '../../../../lib/logger.js';
import type { SqliteDatabase } from '../../../../lib/sqlite.js';
import { ISSUER } from '../../../../lib/tokens.js';
import type { SessionConfig } from '../../config/index.js';
import { getDotPath } from './dot-path.js';
import type { SessionStore, StoredSession } from './session-store.js';

type Statement<P extends unknown[], R = unknown> = { get(...params: P): R | undefined; run(...params: P): unknown };

interface Prepared {
  readonly get: Statement<[string, number], { sess: string; expiresAt: number }>;
  readonly user: Statement<[unknown], Record<string, unknown>> | undefined;
  readonly validAfter: Statement<[unknown], { v: number }> | undefined;
  readonly revoked: Statement<[string, string], { r: number }> | undefined;
  readonly touch: Statement<[string, number, string, number]>;
  readonly set: Statement<[string, string, number]>;
  readonly destroy: Statement<[string]>;
}

const RETRY_MS = 5000;

/**
 * Sessions in a SQLite table, read in place: express-session's layout as the reference app
 * keeps it (`sid, sess, expires_at` ms) or connect-sqlite3's (`sid, expired` ms, `sess`).
 * With `users`, the session's user is joined from that table (a deleted user has no session,
 * and claims are columns of its row), and the reference new backend's token state
 * (tokens-valid-after, the jti denylist) is read when its tables exist. Table and column
 * names come from routes.yaml, which admits plain SQL names only.
 *
 * A file whose tables do not exist yet (the proxy started first) reads as a store error and
 * is looked at again every few seconds.
 */
export function createSqliteSessionStore(db: SqliteDatabase, config: SessionConfig, logger: Logger, clock: () => number = Date.now): SessionStore & { getSync(sid: string, nowMs: number, cachedJti?: string): StoredSession | undefined } {
  const { table, layout, users } = config.sqlite;
  const expiresCol = layout === 'connect-sqlite3' ? 'expired' : 'expires_at';
  let prepared: Prepared | undefined;
  let nextTry = 0;
  let warned = false;

  function optional<P extends unknown[], R>(sql: string): Statement<P, R> | undefined {
    try {
      return db.prepare<P, R>(sql) as unknown as Statement<P, R>;
    } catch {
      return undefined;
    }
  }

  function ready(): Prepared {
    const now = clock();
    // Without token state (the new backend has not migrated the file yet) look again now and then.
    if (prepared && (prepared.validAfter || !users || now < nextTry)) return prepared;
    if (!prepared && now < nextTry) throw new Error(`the ${table} table is not in the database yet`);
    nextTry = now + RETRY_MS;
    try {
      prepared = {
        get: db.prepare(`SELECT sess, ${expiresCol} AS expiresAt FROM "${table}" WHERE sid = ? AND ${expiresCol} > ?`) as unknown as Prepared['get'],
        user: users ? (db.prepare(`SELECT * FROM "${users.table}" WHERE "${users.id}" = ?`) as unknown as Prepared['user']) : undefined,
        validAfter: users ? optional('SELECT tokens_valid_after AS v FROM user_token_state WHERE user_id = ?') : undefined,
        // Until the new backend has migrated the file there is no token state: nothing is revoked.
        revoked: users ? optional('SELECT 1 AS r FROM revoked_tokens WHERE iss = ? AND jti = ?') : undefined,
        // json_set changes only cookie.expires: a field the legacy app wrote meanwhile is kept.
        touch: db.prepare(`UPDATE "${table}" SET sess = json_set(sess, '$.cookie.expires', ?), ${expiresCol} = ? WHERE sid = ? AND ${expiresCol} > ?`) as unknown as Prepared['touch'],
        set: db.prepare(`INSERT INTO "${table}" (sid, sess, ${expiresCol}) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, ${expiresCol} = excluded.${expiresCol}`) as unknown as Prepared['set'],
        destroy: db.prepare(`DELETE FROM "${table}" WHERE sid = ?`) as unknown as Prepared['destroy'],
      };
      return prepared;
    } catch (err) {
      if (prepared) return prepared;
      if (!warned) logger.warn({ err: String(err) }, `session bridge: the ${table} table (or ${users?.table ?? 'its users table'}) is not in the database yet (start the legacy app or run \`npx strangler db migrate\`); bridging no sessions until it is`);
      warned = true;
      throw err;
    }
  }

  function getSync(sid: string, nowMs: number, cachedJti?: string): StoredSession | undefined {
    const p = ready();
    const row = p.get.get(sid, nowMs);
    if (!row) return undefined;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(row.sess) as Record<string, unknown>;
    } catch {
      logger.warn({ table }, 'session bridge: a session row holds malformed JSON; treated as no session');
      return undefined;
    }
    if (data === null || typeof data !== 'object') return undefined;
    if (!p.user) return { data, expiresAt: row.expiresAt };
    const id = getDotPath(data, config.user);
    if (id === undefined || id === null || typeof id === 'object') return undefined;
    const user = p.user.get(id);
    if (!user) return undefined;
    return {
      data,
      expiresAt: row.expiresAt,
      user,
      validAfter: p.validAfter?.get(id)?.v ?? 0,
      revoked: cachedJti ? p.revoked?.get(ISSUER, cachedJti) !== undefined : false,
    };
  }

  return {
    getSync,
    async get(sid, nowMs, cachedJti) {
      return getSync(sid, nowMs, cachedJti);
    },
    async touch(sid, expiresAt, nowMs) {
      ready().touch.run(new Date(expiresAt).toISOString(), expiresAt, sid, nowMs);
    },
    async set(sid, data, expiresAt) {
      ready().set.run(sid, JSON.stringify(data), expiresAt);
    },
    async destroy(sid) {
      ready().destroy.run(sid);
    },
    async close() {
      prepared = undefined;
    },
  };
}
