import type { SqliteDatabase } from '../../../lib/sqlite.js';

/**
 * What the /mcp feature adds to the shared file: the approval bindings (what exactly an
 * admin may approve, until when) and the index the change feed reads by. The new
 * backend's migration 0004 creates the same objects (a test proves the text is equal);
 * whichever process starts first creates them, `IF NOT EXISTS` makes the other a no-op.
 * Expand-only: nothing the legacy tables already hold changes.
 */
export const MCP_SCHEMA = `
CREATE TABLE IF NOT EXISTS mcp_approvals (
  command_id INTEGER PRIMARY KEY REFERENCES mcp_commands (id) ON DELETE CASCADE,
  argv_json TEXT NOT NULL,
  argv_sha256 TEXT NOT NULL,
  cwd TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_commands_updated_at ON mcp_commands (updated_at, id);
`;

export function createMcpSchema(db: SqliteDatabase): void {
  db.exec(MCP_SCHEMA);
}
