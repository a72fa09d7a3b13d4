import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from '../../../lib/sqlite.js';

export interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
}

/** `<folder of the database>/backups/<name>-<UTC timestamp>.db`, never overwriting one. */
export function backupPath(databasePath: string, now: Date = new Date()): string {
  const stem = basename(databasePath, extname(databasePath)) || 'app';
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const folder = join(dirname(databasePath), 'backups');
  let file = join(folder, `${stem}-${stamp}.db`);
  for (let n = 2; existsSync(file); n++) file = join(folder, `${stem}-${stamp}-${n}.db`);
  return file;
}

/**
 * A consistent copy of a live database with SQLite's online backup API (safe while other
 * processes write: WAL frames already committed are included).
 *
 * @example const { file, bytes } = await backupDatabase(db, 'data/app.db');
 */
export async function backupDatabase(
  db: SqliteDatabase,
  databasePath: string,
  options: { now?: Date; onProgress?: (p: BackupProgress) => void } = {},
): Promise<BackupResult> {
  const file = backupPath(databasePath, options.now);
  mkdirSync(dirname(file), { recursive: true });
  await db.backup(file, {
    progress: (p) => {
      options.onProgress?.(p);
      // Pages per step: small enough to report progress on a big file, large enough to stay quick.
      return 256;
    },
  });
  // The copy inherits WAL mode, which makes every reader create -wal/-shm files beside it:
  // a backup should be one self-contained file.
  const copy = new Database(file);
  copy.pragma('journal_mode = DELETE');
  copy.close();
  return { file, bytes: statSync(file).size };
}
