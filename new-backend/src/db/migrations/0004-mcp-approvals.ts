import { sql, type Kysely } from 'kysely';
import { splitStatements } from './0001-baseline.js';

/**
 * Expand-only, for /mcp: the approval bindings (the exact argv and cwd an admin may
 * approve, and until when) and the (updated_at, id) index the change feed reads by.
 * The legacy app's /mcp feature creates the same objects with the same text
 * (legacy-adapter/src/mcp/mcp-schema.ts; a test proves they are equal), so whichever
 * starts first makes them and `IF NOT EXISTS` makes the other a no-op.
 */
export const MCP_APPROVALS_SQL = `
CREATE TABLE IF NOT EXISTS mcp_approvals (
  command_id INTEGER PRIMARY KEY REFERENCES mcp_commands (id) ON DELETE CASCADE,
  argv_json TEXT NOT NULL,
  argv_sha256 TEXT NOT NULL,
  cwd TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_commands_updated_at ON mcp_commands (updated_at, id);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of splitStatements(MCP_APPROVALS_SQL)) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS mcp_commands_updated_at').execute(db);
  await sql.raw('DROP TABLE IF EXISTS mcp_approvals').execute(db);
}
