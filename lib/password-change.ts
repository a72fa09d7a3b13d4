import type { SqliteDatabase } from './sqlite.js';

export interface PasswordChangeOutcome {
  /** Legacy sessions of the user that were ended. */
  readonly sessionsEnded: number;
  /** Whether the shared token state existed (the new backend has migrated the file). */
  readonly tokensInvalidated: boolean;
}

const has = (db: SqliteDatabase, table: string) => db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)?.n === 1;

/**
 * What a password change does on the shared database, whichever backend served it (OWASP's
 * rule, SECURITY J9): every access token issued before it is refused (tokens-valid-after),
 * every refresh family of the user is revoked, and every legacy session of the user ends
 * except the one `keep` names — the session that made the change stays logged in. The
 * token tables exist once the new backend has migrated the file; before that there is
 * nothing to revoke.
 */
export function endOtherCredentials(db: SqliteDatabase, userId: number, keep: (sid: string) => boolean, nowMs = Date.now()): PasswordChangeOutcome {
  const nowSec = Math.floor(nowMs / 1000);
  return db.transaction(() => {
    let tokensInvalidated = false;
    if (has(db, 'user_token_state')) {
      // iat has one-second resolution: tokens of this second are refused too; the bridge re-mints.
      db.prepare('INSERT INTO user_token_state (user_id, tokens_valid_after) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET tokens_valid_after = excluded.tokens_valid_after')
        .run(userId, nowSec + 1);
      tokensInvalidated = true;
    }
    if (has(db, 'refresh_tokens')) {
      db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(nowSec, userId);
    }
    let sessionsEnded = 0;
    if (has(db, 'sessions')) {
      const rows = db.prepare<[number], { sid: string }>("SELECT sid FROM sessions WHERE json_extract(sess, '$.userId') = ?").all(userId);
      const end = db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?');
      for (const { sid } of rows) {
        if (keep(sid)) continue;
        sessionsEnded += end.run(sid).changes;
      }
    }
    return { sessionsEnded, tokensInvalidated };
  })();
}
