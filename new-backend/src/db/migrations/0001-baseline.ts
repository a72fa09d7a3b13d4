import { sql, type Kysely } from 'kysely';

/**
 * Adopts the legacy app's tables exactly as it creates them (legacy-adapter/src/schema.ts),
 * frozen here as they were when the new backend took over the schema: a migration never
 * changes once shipped. `IF NOT EXISTS` makes it a no-op on a file the legacy app already
 * made, and leaves nothing for the legacy app to trip on when it starts second.
 * A test proves this text still equals LEGACY_SCHEMA.
 */
export const BASELINE_SQL = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  password TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS sessions (
  sid TEXT PRIMARY KEY,
  sess TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS mcp_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_id TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_active_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mcp_commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tool_name TEXT NOT NULL,
  command TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('pending_approval', 'rejected', 'executing', 'executed', 'failed')),
  result TEXT,
  approved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_commands_user ON mcp_commands (user_id, id);
CREATE INDEX IF NOT EXISTS mcp_commands_status ON mcp_commands (status);
`;

/** One statement at a time: better-sqlite3 prepares a single statement per call. */
export function splitStatements(script: string): string[] {
  return script.split(/;\s*\n/).map((s) => s.trim().replace(/;$/, '')).filter(Boolean);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of splitStatements(BASELINE_SQL)) await sql.raw(statement).execute(db);
}

// No `down`: the legacy app owns these tables' data; no migration may drop them.
