import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../../lib/sqlite.js';
import type { CommandRow } from '../../../lib/mcp-commands/command.js';
import { MAX_FEED_PAGE, type ApprovalBinding, type CommandStore, type FeedCursor, type NewCommand, type RateWindow } from '../../../lib/mcp-commands/command-store.js';
import { MAX_LIST_LIMIT } from '../../../lib/mcp-commands/command-input.js';

interface BindingRow {
  argv_json: string;
  argv_sha256: string;
  cwd: string;
  expires_at: string;
}

const STILL_APPROVABLE = 'EXISTS (SELECT 1 FROM mcp_approvals a WHERE a.command_id = mcp_commands.id AND a.expires_at > ?)';

/**
 * mcp_commands, mcp_approvals and mcp_sessions in the legacy app's style: raw SQL,
 * prepared once. Each status change is a single conditional UPDATE … RETURNING, so the
 * row that comes back is the one this process changed, and a race lost comes back empty.
 */
export function createSqlCommandStore(db: SqliteDatabase): CommandStore {
  const insert = db.prepare<[number, string, string, string, string, string], CommandRow>(
    `INSERT INTO mcp_commands (user_id, tool_name, command, params, status, result, approved_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'executing', NULL, NULL, ?, ?) RETURNING *`,
  );
  // The user's calls-th newest command, if created inside the window, means the window is
  // full; reading it walks the (user_id, id) index backwards, `calls` rows at most.
  const insertWithin = db.prepare<[number, string, string, string, string, string, number, number, string], CommandRow>(
    `INSERT INTO mcp_commands (user_id, tool_name, command, params, status, result, approved_by, created_at, updated_at)
     SELECT ?, ?, ?, ?, 'executing', NULL, NULL, ?, ?
     WHERE NOT EXISTS (SELECT 1 FROM (SELECT created_at FROM mcp_commands WHERE user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?) WHERE created_at > ?)
     RETURNING *`,
  );
  const finish = db.prepare<[string, string | null, string, number], CommandRow>(
    'UPDATE mcp_commands SET status = ?, result = ?, updated_at = ? WHERE id = ? RETURNING *',
  );
  const saveBinding = db.prepare<[number, string, string, string, string]>(
    'INSERT OR REPLACE INTO mcp_approvals (command_id, argv_json, argv_sha256, cwd, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const markPending = db.prepare<[string, number, number], CommandRow>(
    `UPDATE mcp_commands SET status = 'pending_approval', updated_at = ? WHERE id = ? AND status = 'executing'
     AND (SELECT count(*) FROM mcp_commands p WHERE p.user_id = mcp_commands.user_id AND p.status = 'pending_approval') < ? RETURNING *`,
  );
  const find = db.prepare<[number], CommandRow>('SELECT * FROM mcp_commands WHERE id = ?');
  const binding = db.prepare<[number], BindingRow>('SELECT argv_json, argv_sha256, cwd, expires_at FROM mcp_approvals WHERE command_id = ?');
  const claim = db.prepare<[number, string, number, string], CommandRow>(
    `UPDATE mcp_commands SET status = 'executing', approved_by = ?, updated_at = ?
     WHERE id = ? AND status = 'pending_approval' AND ${STILL_APPROVABLE} RETURNING *`,
  );
  const reject = db.prepare<[string, number, string], CommandRow>(
    `UPDATE mcp_commands SET status = 'rejected', updated_at = ?
     WHERE id = ? AND status = 'pending_approval' AND ${STILL_APPROVABLE} RETURNING *`,
  );
  const anyExpired = db.prepare<[string], { id: number }>(
    `SELECT c.id FROM mcp_commands c LEFT JOIN mcp_approvals a ON a.command_id = c.id
     WHERE c.status = 'pending_approval' AND (a.expires_at IS NULL OR a.expires_at <= ?) LIMIT 1`,
  );
  const expire = db.prepare<[string, string, string], CommandRow>(
    `UPDATE mcp_commands SET status = 'rejected', result = ?, updated_at = ?
     WHERE status = 'pending_approval' AND NOT ${STILL_APPROVABLE} RETURNING *`,
  );
  const anyAbandoned = db.prepare<[string], { id: number }>("SELECT id FROM mcp_commands WHERE status = 'executing' AND updated_at < ? LIMIT 1");
  const abandon = db.prepare<[string, string, string], CommandRow>(
    "UPDATE mcp_commands SET status = 'failed', result = ?, updated_at = ? WHERE status = 'executing' AND updated_at < ? RETURNING *",
  );
  const changed = db.prepare<[string, number, number], CommandRow>(
    'SELECT * FROM mcp_commands WHERE (updated_at, id) > (?, ?) ORDER BY updated_at, id LIMIT ?',
  );
  const recordSession = db.prepare<[number, string, string, string]>(
    `INSERT INTO mcp_sessions (user_id, session_id, created_at, last_active_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET last_active_at = excluded.last_active_at`,
  );
  const touchSession = db.prepare<[string, string]>('UPDATE mcp_sessions SET last_active_at = ? WHERE session_id = ?');
  const savePending = db.transaction((id: number, b: ApprovalBinding, at: string, maxPending: number) => {
    const row = markPending.get(at, id, maxPending);
    if (row) saveBinding.run(id, JSON.stringify(b.argv), b.argvSha256, b.cwd, b.expiresAt);
    return row;
  });
  const lists = new Map<string, Statement<unknown[], CommandRow>>();

  return {
    async insert(c: NewCommand) {
      return insert.get(c.userId, c.toolName, c.command, c.params, c.at, c.at) as CommandRow;
    },
    async insertWithin(c: NewCommand, rate: RateWindow) {
      return insertWithin.get(c.userId, c.toolName, c.command, c.params, c.at, c.at, c.userId, rate.calls - 1, rate.since);
    },
    async finish(id, status, result, at) {
      return finish.get(status, result, at, id);
    },
    async awaitApproval(id, b, at, maxPending = Number.MAX_SAFE_INTEGER) {
      return savePending(id, b, at, maxPending);
    },
    async find(id) {
      return find.get(id);
    },
    async list({ userId, status, limit }) {
      const where = [userId === undefined ? '' : 'user_id = ?', status === undefined ? '' : 'status = ?'].filter(Boolean);
      const key = where.join(' AND ');
      let statement = lists.get(key);
      if (!statement) {
        statement = db.prepare<unknown[], CommandRow>(`SELECT * FROM mcp_commands ${where.length ? `WHERE ${key}` : ''} ORDER BY id DESC LIMIT ?`);
        lists.set(key, statement);
      }
      const args = [...(userId === undefined ? [] : [userId]), ...(status === undefined ? [] : [status]), Math.min(limit, MAX_LIST_LIMIT)];
      return statement.all(...args);
    },
    async binding(id) {
      const row = binding.get(id);
      if (!row) return undefined;
      let argv: string[];
      try {
        argv = JSON.parse(row.argv_json) as string[];
      } catch {
        return undefined;
      }
      return { argv, argvSha256: row.argv_sha256, cwd: row.cwd, expiresAt: row.expires_at };
    },
    async claim(id, approverId, at) {
      return claim.get(approverId, at, id, at);
    },
    async reject(id, at) {
      return reject.get(at, id, at);
    },
    async expirePending(at, result) {
      if (!anyExpired.get(at)) return [];
      return expire.all(result, at, at);
    },
    async failAbandoned(before, at, result) {
      if (!anyAbandoned.get(before)) return [];
      return abandon.all(result, at, before);
    },
    async changedAfter(cursor: FeedCursor, limit: number) {
      return changed.all(cursor.updatedAt, cursor.id, Math.min(limit, MAX_FEED_PAGE));
    },
    async recordSession(userId, sessionId, at) {
      recordSession.run(userId, sessionId, at, at);
    },
    async touchSession(sessionId, at) {
      touchSession.run(at, sessionId);
    },
  };
}

