import { existsSync } from 'node:fs';
import { openDatabase, type SqliteDatabase } from '../../../lib/sqlite.js';
import type { ActorKind, HistoryEntry, NewHistoryEntry } from './history-entry.js';

/**
 * Append-only: the triggers refuse UPDATE and DELETE, so a row once written stays as it was.
 * SQLite rather than a JSON Lines file because two processes write it (the proxy, and the
 * CLI after a cutover) and SQLite serialises them; a route's newest entries are an index
 * lookup rather than a scan of the whole log.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  route TEXT NOT NULL,
  change TEXT NOT NULL,
  from_routing TEXT NOT NULL,
  to_routing TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  reason TEXT,
  gates TEXT
);
CREATE INDEX IF NOT EXISTS history_route ON history (route, id);
CREATE INDEX IF NOT EXISTS history_route_at ON history (route, at);
CREATE INDEX IF NOT EXISTS history_at ON history (at);
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
  BEGIN SELECT RAISE(ABORT, 'the routing history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
  BEGIN SELECT RAISE(ABORT, 'the routing history is append-only'); END;
`;

export interface HistoryQuery {
  readonly route?: string;
  /** Newest first (by when the change happened: a file edit is written after a grace period); default 100, at most 1000. */
  readonly limit?: number;
  /** Only entries at or after this (epoch ms). */
  readonly sinceMs?: number;
}

export interface HistoryStore {
  append(entry: NewHistoryEntry, atMs?: number): HistoryEntry;
  list(query?: HistoryQuery): HistoryEntry[];
  close(): void;
}

interface Row {
  id: number; at: number; route: string; change: string; from_routing: string; to_routing: string;
  actor_kind: string; actor_name: string; reason: string | null; gates: string | null;
}

/**
 * The audit log of every routing change (HISTORY_PATH, default data/history.db).
 *
 * @example
 * const history = openHistoryStore('data/history.db');
 * history.append({ route: 'users', change: 'target legacy → new', from, to, actor: { kind: 'cli', name: 'ana' }, reason: null, gates: null });
 * history.list({ route: 'users', limit: 20 });
 */
export function createHistoryStore(db: SqliteDatabase, options: { clock?: () => number; ownsDb?: boolean } = {}): HistoryStore {
  const clock = options.clock ?? Date.now;
  if (!db.readonly) db.exec(SCHEMA);
  const insert = db.readonly ? undefined : db.prepare(`INSERT INTO history (at, route, change, from_routing, to_routing, actor_kind, actor_name, reason, gates)
    VALUES (@at, @route, @change, @from, @to, @kind, @name, @reason, @gates)`);
  const select = db.prepare<[string | null, string | null, number, number], Row>(`SELECT * FROM history
    WHERE (? IS NULL OR route = ?) AND at >= ? ORDER BY at DESC, id DESC LIMIT ?`);

  return {
    append(entry, atMs = clock()) {
      if (!insert) throw new Error('the history file was opened read-only');
      const info = insert.run({
        at: atMs, route: entry.route, change: entry.change, from: JSON.stringify(entry.from), to: JSON.stringify(entry.to),
        kind: entry.actor.kind, name: entry.actor.name, reason: entry.reason, gates: entry.gates ? JSON.stringify(entry.gates) : null,
      });
      return { ...entry, id: Number(info.lastInsertRowid), at: new Date(atMs).toISOString() };
    },
    list(query = {}) {
      const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 1000);
      const route = query.route ?? null;
      return select.all(route, route, query.sinceMs ?? 0, limit).map(fromRow);
    },
    close() {
      if (options.ownsDb) db.close();
    },
  };
}

function fromRow(r: Row): HistoryEntry {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    route: r.route,
    change: r.change,
    from: JSON.parse(r.from_routing) as HistoryEntry['from'],
    to: JSON.parse(r.to_routing) as HistoryEntry['to'],
    actor: { kind: r.actor_kind as ActorKind, name: r.actor_name },
    reason: r.reason,
    gates: r.gates ? (JSON.parse(r.gates) as HistoryEntry['gates']) : null,
  };
}

/** Opens (creating if needed) the history file, or throws naming HISTORY_PATH. */
export function openHistoryStore(path: string, options: { clock?: () => number } = {}): HistoryStore {
  let db: SqliteDatabase;
  try {
    db = openDatabase(path);
  } catch (err) {
    throw new Error(`cannot open the routing history ${path} (HISTORY_PATH): ${(err as Error).message}; point HISTORY_PATH at a writable file`, { cause: err });
  }
  return createHistoryStore(db, { ...options, ownsDb: true });
}

/** The history for reading only (the CLI); undefined when the file does not exist yet. */
export function openHistoryReader(path: string): HistoryStore | undefined {
  if (path !== ':memory:' && !existsSync(path)) return undefined;
  return createHistoryStore(openDatabase(path, { readonly: true }), { ownsDb: true });
}
