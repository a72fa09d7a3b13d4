import { sql, type Kysely } from 'kysely';
import { splitStatements } from './0001-baseline.js';

/**
 * Expand-only: the login attempt counters both backends throttle by. The legacy app
 * creates the same objects with the same text when it starts
 * (lib/login-throttle/login-throttle-schema.ts; a test proves they are equal), so a file
 * this backend never migrated is throttled too, and `IF NOT EXISTS` makes whichever comes
 * second a no-op. Frozen here: a shipped migration never changes.
 */
export const LOGIN_THROTTLE_SQL = `
CREATE TABLE IF NOT EXISTS login_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_throttle_last_at ON login_throttle (last_at);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of splitStatements(LOGIN_THROTTLE_SQL)) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS login_throttle').execute(db);
}
