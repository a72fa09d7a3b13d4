import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { SessionConfig } from '../../../proxy/src/config/index.js';
import { fail, pass, type Check } from './check.js';

const LAYOUT_COLUMNS = {
  'express-session': ['sid', 'sess', 'expires_at'],
  'connect-sqlite3': ['sid', 'expired', 'sess'],
} as const;

/**
 * The sqlite source's file as the proxy would read it: the file exists, the session table has
 * the columns of the configured layout, and the users table (when joined) has the id column
 * and a column for each claim. Opened read-only: the doctor never writes to an app's data.
 */
export function checkSqliteStore(backend: string, config: SessionConfig, file: string, shown: string, nowMs = Date.now()): Check {
  const what = 'sqlite store';
  const at = `backends.${backend}.session.sqlite`;
  if (!existsSync(file)) {
    return fail(what, `no database file at ${shown}`, `set DATABASE_PATH (or ${at}.path) to the legacy app's SQLite file`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return fail(what, `${shown} cannot be opened: ${(err as Error).message}`, 'check the file is an SQLite database and this user may read it');
  }
  try {
    db.pragma('busy_timeout = 2000');
    const { table, layout, users } = config.sqlite;
    const columns = columnsOf(db, table);
    if (columns.length === 0) {
      return fail(what, `${shown} has no table "${table}"`, `start the legacy app once (it creates its session table), or set ${at}.table to the table its store writes`);
    }
    const needed = LAYOUT_COLUMNS[layout];
    const missing = needed.filter((c) => !columns.includes(c));
    if (missing.length) {
      const other = layout === 'express-session' ? 'connect-sqlite3' : 'express-session';
      const fitsOther = LAYOUT_COLUMNS[other].every((c) => columns.includes(c));
      return fail(what, `table "${table}" has columns ${columns.join(', ')}; the ${layout} layout needs ${needed.join(', ')} (missing ${missing.join(', ')})`,
        fitsOther ? `set ${at}.layout: ${other}` : `set ${at}.table to the table the app's session store writes`);
    }
    const expires = layout === 'connect-sqlite3' ? 'expired' : 'expires_at';
    const live = (db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${expires} > ?`).get(nowMs) as { n: number }).n;
    let joined = '';
    if (users) {
      const userColumns = columnsOf(db, users.table);
      if (userColumns.length === 0) {
        return fail(what, `${shown} has no table "${users.table}" (${at}.users.table)`, `name the app's users table in ${at}.users.table, or remove ${at}.users to read the claims from the session data`);
      }
      const wanted = [users.id, ...Object.values(config.claims)];
      const absent = wanted.filter((c) => !userColumns.includes(c));
      if (absent.length) {
        return fail(what, `table "${users.table}" has no column ${absent.map((c) => `"${c}"`).join(', ')} (it has ${userColumns.join(', ')})`,
          `with ${at}.users, ${at}.users.id and each path of backends.${backend}.session.claims name columns of that table: correct them`);
      }
      joined = `; users joined from "${users.table}" on ${users.id}${Object.keys(config.claims).length ? `, claims ${Object.entries(config.claims).map(([k, v]) => `${k} <- ${v}`).join(', ')}` : ''}`;
    }
    return pass(what, `${shown}: table "${table}" (${layout} layout), ${live} live session${live === 1 ? '' : 's'}${joined}`);
  } catch (err) {
    return fail(what, `reading ${shown} failed: ${(err as Error).message}`, 'check the file is not corrupt (sqlite3 FILE "PRAGMA integrity_check")');
  } finally {
    db.close();
  }
}

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((r) => r.name);
}
