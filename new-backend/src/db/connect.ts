import { Kysely, SqliteDialect } from 'kysely';
import type { SqliteDatabase } from '../../../lib/sqlite.js';
import type { Database } from './schema.js';

/**
 * Kysely over an already opened better-sqlite3 handle (lib/sqlite openDatabase: WAL, busy
 * timeout, foreign keys). `db.destroy()` closes the handle too.
 *
 * @example const db = createKysely(openDatabase('data/app.db'));
 */
export function createKysely(sqlite: SqliteDatabase): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}
