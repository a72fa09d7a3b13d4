import type { SqliteDatabase } from '../../../../lib/sqlite.js';
import { generalizePath } from '../diff/json-path.js';

export const DIFF_SCHEMA = `
CREATE TABLE IF NOT EXISTS diffs (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  route TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  request_id TEXT,
  primary_backend TEXT NOT NULL,
  shadow_backend TEXT NOT NULL,
  primary_status INTEGER,
  shadow_status INTEGER,
  match INTEGER NOT NULL CHECK (match IN (0, 1)),
  differences TEXT NOT NULL DEFAULT '[]',
  omitted INTEGER NOT NULL DEFAULT 0,
  primary_ms REAL,
  shadow_ms REAL,
  error TEXT,
  raced INTEGER NOT NULL DEFAULT 0 CHECK (raced IN (0, 1))
);
CREATE INDEX IF NOT EXISTS diffs_route_at ON diffs (route, at);
CREATE TABLE IF NOT EXISTS diff_exchanges (
  diff_id INTEGER PRIMARY KEY REFERENCES diffs (id) ON DELETE CASCADE,
  route TEXT NOT NULL,
  exchange TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS diff_exchanges_route ON diff_exchanges (route, diff_id);
CREATE TABLE IF NOT EXISTS shadow_events (
  route TEXT NOT NULL,
  minute INTEGER NOT NULL,
  dropped INTEGER NOT NULL DEFAULT 0,
  oversized INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (route, minute)
);
CREATE TABLE IF NOT EXISTS shadow_noise (
  route TEXT NOT NULL,
  pattern TEXT NOT NULL,
  hits INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (route, pattern)
);
`;

/** Creates the tables if needed and the SQL function the summary groups paths with. */
export function prepareDiffSchema(db: SqliteDatabase): void {
  db.exec(DIFF_SCHEMA);
  // Files written before comparisons knew about writes have no `raced` column.
  if (!hasColumn(db, 'diffs', 'raced')) {
    try {
      db.exec('ALTER TABLE diffs ADD COLUMN raced INTEGER NOT NULL DEFAULT 0 CHECK (raced IN (0, 1))');
    } catch (err) {
      // The proxy's reader and the shadow thread open the file at once: one of them adds it.
      if (!/duplicate column/i.test((err as Error).message)) throw err;
    }
  }
  registerDiffFunctions(db);
}

export function hasColumn(db: SqliteDatabase, table: string, column: string): boolean {
  return db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM pragma_table_info(?) WHERE name = ?').get(table, column)?.n === 1;
}

/** `generalize_path('$[3].email')` → `$[*].email`, for grouping in SQL. */
export function registerDiffFunctions(db: SqliteDatabase): void {
  db.function('generalize_path', { deterministic: true }, (p: unknown) => (typeof p === 'string' ? generalizePath(p) : null));
}

