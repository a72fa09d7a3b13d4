import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type SqliteDatabase } from '../../../lib/sqlite.js';
import { createLegacySchema, LEGACY_SCHEMA } from '../../../legacy-adapter/src/schema.js';
import { tempDir } from '../../../test/kit/index.js';
import { createKysely } from './connect.js';
import { migrateToLatest, migrationStatus, pendingMigrations } from './migrator.js';
import { BASELINE_SQL, splitStatements } from './migrations/0001-baseline.js';
import { MIGRATIONS } from './migrations/index.js';

const LEGACY_TABLES = ['users', 'sessions', 'mcp_sessions', 'mcp_commands'];
/** Indexes later migrations add to legacy tables (expand-only): not part of what the legacy app made. */
const ADDED_INDEXES = ['mcp_commands_updated_at'];

function shape(sqlite: SqliteDatabase) {
  const objects = sqlite
    .prepare<[], { type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN (${LEGACY_TABLES.map(() => '?').join(',')}) ORDER BY type, name`,
    )
    .all(...([] as []), ...(LEGACY_TABLES as unknown as []))
    .filter((o) => !ADDED_INDEXES.includes(o.name));
  const columns = Object.fromEntries(LEGACY_TABLES.map((t) => [t, sqlite.pragma(`table_info(${t})`)]));
  const foreignKeys = Object.fromEntries(LEGACY_TABLES.map((t) => [t, sqlite.pragma(`foreign_key_list(${t})`)]));
  return { objects, columns, foreignKeys };
}

/** The legacy app's own writes, raw SQL as it does them. */
function legacyWorks(sqlite: SqliteDatabase): void {
  const user = sqlite.prepare("INSERT INTO users (username, name, email, password) VALUES ('u' || abs(random() % 100000), 'N', 'e' || abs(random() % 100000) || '@x.io', 'h')").run();
  sqlite.prepare("INSERT INTO sessions (sid, sess, expires_at) VALUES (hex(randomblob(8)), '{}', 1)").run();
  const at = new Date().toISOString();
  sqlite.prepare("INSERT INTO mcp_commands (user_id, tool_name, command, status, created_at, updated_at) VALUES (?, 'terminal_command', 'ls', 'executed', ?, ?)").run(user.lastInsertRowid, at, at);
  const row = sqlite.prepare<[number | bigint], { role: string; created_at: string; params: string }>(
    'SELECT u.role, u.created_at, c.params FROM users u JOIN mcp_commands c ON c.user_id = u.id WHERE u.id = ?',
  ).get(user.lastInsertRowid);
  assert.equal(row?.role, 'user');
  assert.match(row?.created_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(row?.params, '{}');
}

describe('migrations', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('baseline 0001 is the legacy schema, statement for statement', () => {
    assert.deepEqual(splitStatements(BASELINE_SQL), splitStatements(LEGACY_SCHEMA));
    assert.equal(splitStatements(LEGACY_SCHEMA).length, 7);
  });

  it('lists migrations in name order, the baseline first', () => {
    const names = Object.keys(MIGRATIONS);
    assert.deepEqual(names, [...names].sort());
    assert.equal(names[0], '0001_baseline');
  });

  it('legacy first, then migrate: the legacy tables are untouched and both sides work', async () => {
    const legacyOnly = openDatabase(dir.file('reference.db'));
    createLegacySchema(legacyOnly);
    const reference = shape(legacyOnly);
    legacyOnly.close();

    const sqlite = openDatabase(dir.file('legacy-first.db'));
    createLegacySchema(sqlite);
    legacyWorks(sqlite);
    const db = createKysely(sqlite);
    try {
      const outcome = await migrateToLatest(db);
      assert.deepEqual(outcome, { ok: true, applied: Object.keys(MIGRATIONS) });
      assert.deepEqual(shape(sqlite), reference);
      createLegacySchema(sqlite); // the legacy app restarting later
      legacyWorks(sqlite);
      assert.equal((await db.selectFrom('users').select('id').execute()).length, 2);
      await db.insertInto('revoked_tokens').values({ iss: 'i', jti: 'j', expires_at: 1 }).execute();
    } finally {
      await db.destroy();
    }
  });

  it('migrate first, then the legacy app starts: its CREATE IF NOT EXISTS is a no-op and it works', async () => {
    const legacyOnly = openDatabase(dir.file('reference2.db'));
    createLegacySchema(legacyOnly);
    const reference = shape(legacyOnly);
    legacyOnly.close();

    const sqlite = openDatabase(dir.file('migrate-first.db'));
    const db = createKysely(sqlite);
    try {
      assert.deepEqual(await migrateToLatest(db), { ok: true, applied: Object.keys(MIGRATIONS) });
      createLegacySchema(sqlite);
      assert.deepEqual(shape(sqlite), reference);
      legacyWorks(sqlite);
      const users = await db.selectFrom('users').selectAll().execute();
      assert.equal(users.length, 1);
      assert.equal(users[0]?.role, 'user');
    } finally {
      await db.destroy();
    }
  });

  it('is idempotent: a second run applies nothing; status shows all applied', async () => {
    const db = createKysely(openDatabase(dir.file('twice.db')));
    try {
      assert.deepEqual(await pendingMigrations(db), Object.keys(MIGRATIONS));
      await migrateToLatest(db);
      assert.deepEqual(await migrateToLatest(db), { ok: true, applied: [] });
      const status = await migrationStatus(db);
      assert.deepEqual(status.map((s) => s.name), Object.keys(MIGRATIONS));
      assert.ok(status.every((s) => s.executedAt instanceof Date));
      assert.deepEqual(await pendingMigrations(db), []);
    } finally {
      await db.destroy();
    }
  });

  it('leaves the file as it was when a migration fails (one transaction)', async () => {
    const sqlite = openDatabase(dir.file('blocked.db'));
    // A table in the way of 0003 makes it fail after 0001 and 0002 have run inside the transaction.
    sqlite.exec('CREATE TABLE refresh_tokens (x INTEGER)');
    const db = createKysely(sqlite);
    try {
      const outcome = await migrateToLatest(db);
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok && outcome.failed === '0003_refresh_tokens', JSON.stringify(outcome));
      assert.ok(!outcome.ok && /already exists/.test(outcome.reason));
      assert.deepEqual(await pendingMigrations(db), Object.keys(MIGRATIONS));
      const tables = sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'revoked_tokens'").all();
      assert.deepEqual(tables, []);
    } finally {
      await db.destroy();
    }
  });
});
