import type { SqliteDatabase } from '../sqlite.js';
import type { ThrottleSql } from './login-throttle.js';

/** ThrottleSql on a better-sqlite3 handle (the legacy app's), statements prepared once. */
export function sqliteThrottleSql(db: SqliteDatabase): ThrottleSql {
  const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  // better-sqlite3 takes an array of positional parameters as one argument too.
  return {
    run(sql, params) {
      let statement = prepared.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        prepared.set(sql, statement);
      }
      if (statement.reader) return Promise.resolve({ rows: statement.all([...params]) as Record<string, unknown>[], changes: 0 });
      return Promise.resolve({ rows: [], changes: statement.run([...params]).changes });
    },
  };
}
