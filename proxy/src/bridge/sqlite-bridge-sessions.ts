import type { Logger } from '../../../lib/logger.js';
import type { SqliteDatabase } from '../../../lib/sqlite.js';
import { ISSUER } from '../../../lib/tokens.js';
import type { SessionData } from '../../../lib/legacy-session/session-cookie.js';
import { SqliteSessionStore } from '../../../lib/legacy-session/session-store.js';
import type { BridgeSessions, FindResult } from './bridge-sessions.js';

interface Row {
  userId: number;
  role: string;
  expiresAt: number;
  originalMaxAge: number | null;
  validAfter: number;
  revoked: number;
}

type Find = (sid: string, jti: string, now: number) => Row | undefined;

// One statement per bridged request: the session by primary key, its user by primary key
// (a deleted user means no row), and the user's token state. express-session keeps the
// user id inside the JSON, hence json_extract.
const FIND_WITH_TOKEN_STATE = `
SELECT u.id AS userId, u.role AS role, s.expires_at AS expiresAt,
       json_extract(s.sess, '$.cookie.originalMaxAge') AS originalMaxAge,
       COALESCE((SELECT t.tokens_valid_after FROM user_token_state t WHERE t.user_id = u.id), 0) AS validAfter,
       EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.iss = ? AND r.jti = ?) AS revoked
FROM sessions s JOIN users u ON u.id = json_extract(s.sess, '$.userId')
WHERE s.sid = ? AND s.expires_at > ?`;

// Until the new backend has migrated the file there is no token state: nothing is revoked.
const FIND_WITHOUT_TOKEN_STATE = `
SELECT u.id AS userId, u.role AS role, s.expires_at AS expiresAt,
       json_extract(s.sess, '$.cookie.originalMaxAge') AS originalMaxAge,
       0 AS validAfter, 0 AS revoked
FROM sessions s JOIN users u ON u.id = json_extract(s.sess, '$.userId')
WHERE s.sid = ? AND s.expires_at > ?`;

// json_set changes only cookie.expires: a field the legacy app wrote meanwhile is kept.
const TOUCH = "UPDATE sessions SET sess = json_set(sess, '$.cookie.expires', ?), expires_at = ? WHERE sid = ? AND expires_at > ?";

const RETRY_MS = 5000;

/**
 * The bridge's view of the legacy sessions on the shared SQLite file. Sessions are created
 * and removed by the legacy adapter's own store (same id generator, same JSON), read by one
 * prepared statement. A file whose tables do not exist yet (the proxy started first) reads
 * as "no session" and is looked at again every few seconds; a malformed row or a database
 * error is logged and reads as no session, never as a crash.
 */
export function createSqliteBridgeSessions(db: SqliteDatabase, logger: Logger, clock: () => number = Date.now): BridgeSessions {
  let find: Find | undefined;
  let withTokenState = false;
  let touch: ReturnType<typeof prepareTouch> | undefined;
  let store: SqliteSessionStore | undefined;
  let nextTry = 0;
  let warned = false;

  function prepare(): boolean {
    if (withTokenState) return true;
    const now = clock();
    if (now < nextTry) return find !== undefined;
    nextTry = now + RETRY_MS;
    try {
      const full = db.prepare<[string, string, string, number], Row>(FIND_WITH_TOKEN_STATE);
      find = (sid, jti, at) => full.get(ISSUER, jti, sid, at);
      withTokenState = true;
    } catch {
      try {
        const basic = db.prepare<[string, number], Row>(FIND_WITHOUT_TOKEN_STATE);
        find = (sid, _jti, at) => basic.get(sid, at);
      } catch (err) {
        if (!warned) logger.warn({ err: String(err) }, 'session bridge: the sessions or users table is not in the database yet (start the legacy app or run `npx strangler db migrate`); bridging no sessions until it is');
        warned = true;
        return false;
      }
    }
    touch ??= prepareTouch(db);
    store ??= new SqliteSessionStore(db, { pruneIntervalMs: 0 });
    return true;
  }

  function ready(): { touch: ReturnType<typeof prepareTouch>; store: SqliteSessionStore } {
    if (!prepare() || !touch || !store) throw new Error('session bridge: the sessions table does not exist in the database');
    return { touch, store };
  }

  return {
    find(sid, cachedJti, nowMs): FindResult {
      if (!prepare() || !find) return { ok: false, reason: 'store-error' };
      let row: Row | undefined;
      try {
        row = find(sid, cachedJti ?? '', nowMs);
      } catch (err) {
        logger.error({ err: String(err) }, 'session bridge: reading a session failed; treated as no session');
        return { ok: false, reason: 'store-error' };
      }
      if (!row) return { ok: false, reason: 'no-session' };
      if (row.role !== 'admin' && row.role !== 'user') return { ok: false, reason: 'no-session' };
      return {
        ok: true,
        session: {
          userId: row.userId,
          role: row.role,
          expiresAt: row.expiresAt,
          originalMaxAge: typeof row.originalMaxAge === 'number' ? row.originalMaxAge : null,
          validAfter: row.validAfter,
          revoked: row.revoked === 1,
        },
      };
    },
    touch(sid, expiresAt, nowMs) {
      try {
        ready().touch.run(new Date(expiresAt).toISOString(), expiresAt, sid, nowMs);
      } catch (err) {
        // A missed touch costs the session one interval of lifetime, not the request.
        logger.warn({ err: String(err) }, 'session bridge: touching a session failed');
      }
    },
    create(data: SessionData) {
      return ready().store.create(data);
    },
    remove(sid) {
      ready().store.remove(sid);
    },
    close() {
      store?.close();
    },
  };
}

function prepareTouch(db: SqliteDatabase) {
  return db.prepare<[string, number, string, number]>(TOUCH);
}
