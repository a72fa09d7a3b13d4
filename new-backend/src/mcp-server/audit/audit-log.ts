import type { SqliteDatabase } from '../../../../lib/sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcp_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  identity TEXT NOT NULL,
  acting_user_id INTEGER,
  role TEXT,
  session_id TEXT,
  transport TEXT NOT NULL,
  command TEXT NOT NULL,
  argv TEXT,
  cwd TEXT,
  outcome TEXT NOT NULL,
  rule TEXT,
  reason TEXT,
  approver_id INTEGER,
  grant_jti TEXT,
  exit_code INTEGER,
  signal TEXT,
  timed_out INTEGER,
  duration_ms INTEGER,
  stdout_bytes INTEGER,
  stderr_bytes INTEGER,
  truncated INTEGER,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS mcp_audit_identity ON mcp_audit (identity, id);
CREATE TABLE IF NOT EXISTS mcp_used_grants (
  jti TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at TEXT NOT NULL
);
`;

/** What was asked and decided; written before anything runs (T10). Never env values or tokens. */
export interface AuditDecision {
  readonly identity: string;
  readonly actingUserId: number | null;
  readonly role: string | null;
  readonly sessionId: string | null;
  readonly transport: 'http' | 'stdio' | 'memory';
  readonly command: string;
  readonly argv: readonly string[] | null;
  readonly cwd: string | null;
  readonly outcome: string;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly approverId?: number | null;
  readonly grantJti?: string | null;
}

/** How a run ended; added to the row written at decision time. */
export interface AuditRun {
  readonly outcome: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  readonly truncated: boolean;
}

export type AuditRow = Record<string, unknown> & { id: number; outcome: string; rule: string | null };

const MAX_COMMAND_CHARS = 4096;

/**
 * The MCP server's own audit file (MCP_AUDIT_PATH): one row per tools/call, and the
 * approval grants already used (single use, T7). Open it with lib/sqlite openDatabase
 * (WAL, busy timeout).
 */
export function createAuditLog(db: SqliteDatabase) {
  db.exec(SCHEMA);
  const insert = db.prepare(`INSERT INTO mcp_audit (at, identity, acting_user_id, role, session_id, transport, command, argv, cwd, outcome, rule, reason, approver_id, grant_jti)
    VALUES (@at, @identity, @actingUserId, @role, @sessionId, @transport, @command, @argv, @cwd, @outcome, @rule, @reason, @approverId, @grantJti)`);
  const update = db.prepare(`UPDATE mcp_audit SET outcome = @outcome, exit_code = @exitCode, signal = @signal, timed_out = @timedOut, duration_ms = @durationMs,
    stdout_bytes = @stdoutBytes, stderr_bytes = @stderrBytes, truncated = @truncated, finished_at = @at WHERE id = @id`);
  const claim = db.prepare('INSERT OR IGNORE INTO mcp_used_grants (jti, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)');
  const purge = db.prepare('DELETE FROM mcp_used_grants WHERE expires_at < ?');

  /** Records a decision and returns the row id. */
  function record(d: AuditDecision): number {
    const info = insert.run({
      at: new Date().toISOString(),
      identity: d.identity,
      actingUserId: d.actingUserId,
      role: d.role,
      sessionId: d.sessionId,
      transport: d.transport,
      command: d.command.length > MAX_COMMAND_CHARS ? `${d.command.slice(0, MAX_COMMAND_CHARS)}…` : d.command,
      argv: d.argv ? JSON.stringify(d.argv) : null,
      cwd: d.cwd,
      outcome: d.outcome,
      rule: d.rule,
      reason: d.reason,
      approverId: d.approverId ?? null,
      grantJti: d.grantJti ?? null,
    });
    return Number(info.lastInsertRowid);
  }

  function finish(id: number, r: AuditRun): void {
    update.run({
      id,
      at: new Date().toISOString(),
      outcome: r.outcome,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut ? 1 : 0,
      durationMs: r.durationMs,
      stdoutBytes: r.stdoutBytes,
      stderrBytes: r.stderrBytes,
      truncated: r.truncated ? 1 : 0,
    });
  }

  /** Marks a grant used; false when it was used before. Expired ones are forgotten (they fail verification anyway). */
  function claimGrant(jti: string, userId: number, expiresAtSec: number): boolean {
    const nowSec = Math.floor(Date.now() / 1000);
    purge.run(nowSec - 600);
    return claim.run(jti, userId, expiresAtSec, new Date().toISOString()).changes === 1;
  }

  function recent(limit = 20): AuditRow[] {
    return db.prepare('SELECT * FROM mcp_audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
  }

  return { record, finish, claimGrant, recent, close: () => db.close() };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
