import type { SqliteDatabase } from '../sqlite.js';

/**
 * The table both backends count login attempts in, so that flipping `auth` between them
 * resets nothing. `key` is `user:<sha256 of the lower-cased username>` or `addr:<address>`:
 * usernames typed at a login box are often passwords, so they are not stored as typed.
 *
 * The new backend's migration 0005 creates it with this exact text (a test proves they are
 * equal). The legacy app runs it too, at start-up: it must throttle on a file the new
 * backend has never migrated, and `IF NOT EXISTS` makes whichever comes second a no-op.
 * That is an expand-only addition the legacy app makes, the same way its /mcp feature
 * adds mcp_approvals (migration 0004).
 */
export const LOGIN_THROTTLE_SQL = `
CREATE TABLE IF NOT EXISTS login_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_throttle_last_at ON login_throttle (last_at);
`;

/** For the legacy app at start-up; a no-op when the table is there. */
export function createLoginThrottleTable(db: SqliteDatabase): void {
  db.exec(LOGIN_THROTTLE_SQL);
}
