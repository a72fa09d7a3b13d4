import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens the shared SQLite file the way every process must: WAL so readers never block the
 * writer, a busy timeout so two processes writing at once wait instead of failing, and
 * foreign keys on (SQLite leaves them off by default).
 *
 * @example const db = openDatabase('data/app.db');
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return db;
}
