import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../lib/sqlite.js';
import { tempDir } from '../../../test/kit/index.js';
import { createKysely } from './connect.js';
import { migrateToLatest } from './migrator.js';
import { COLUMNS, type ColumnSpec } from './schema.js';

interface TableInfoRow { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }

/** What a live column says about itself, in ColumnSpec terms. */
function liveSpec(row: TableInfoRow, createSql: string): ColumnSpec {
  const type = row.type.toUpperCase() as ColumnSpec['type'];
  // A PRIMARY KEY is treated as NOT NULL even where SQLite's legacy quirk allows NULL.
  const nullable = row.notnull === 0 && row.pk === 0;
  // Only an AUTOINCREMENT key is one inserts leave out; a plain INTEGER key (user_token_state) is given.
  const autoincrement = row.pk === 1 && new RegExp(`\\b${row.name}\\s+INTEGER\\s+PRIMARY\\s+KEY\\s+AUTOINCREMENT`, 'i').test(createSql);
  const generated = row.dflt_value !== null || autoincrement;
  return { type, ...(nullable ? { nullable: true } : {}), ...(generated ? { generated: true } : {}) };
}

describe('Kysely database types against the live schema', () => {
  const dir = tempDir();
  const sqlite = openDatabase(dir.file('app.db'));
  const db = createKysely(sqlite);

  before(async () => {
    const outcome = await migrateToLatest(db);
    assert.ok(outcome.ok, JSON.stringify(outcome));
  });
  after(async () => {
    await db.destroy();
    dir.cleanup();
  });

  it('declares every table the migrations create, and no other', () => {
    const live = sqlite
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name")
      .all()
      .map((r) => r.name);
    assert.deepEqual(live, Object.keys(COLUMNS).sort());
  });

  for (const [table, columns] of Object.entries(COLUMNS)) {
    it(`declares ${table} column for column: name, SQL type, nullability, default`, () => {
      const rows = sqlite.prepare<[], TableInfoRow>(`PRAGMA table_info(${table})`).all();
      const createSql = sqlite.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)?.sql ?? '';
      const live = Object.fromEntries(rows.map((r) => [r.name, liveSpec(r, createSql)]));
      assert.deepEqual(live, { ...columns });
    });
  }
});
