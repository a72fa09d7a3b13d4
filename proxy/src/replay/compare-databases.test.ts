import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../lib/sqlite.js';
import { compareDatabases } from './compare-databases.js';

const dir = mkdtempSync(join(tmpdir(), 'strangler-compare-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function database(name: string, sql: string): string {
  const file = join(dir, `${name}.db`);
  const db = openDatabase(file);
  db.exec(sql);
  db.close();
  return file;
}

const SCHEMA = `
  CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, role TEXT, created_at TEXT);
  CREATE TABLE sessions (sid TEXT PRIMARY KEY, sess TEXT);
  CREATE TABLE tags (label TEXT, note TEXT);
`;

describe('compareDatabases', () => {
  it('finds rows added, removed and changed by primary key, leaving out declared tables and columns', () => {
    const legacy = database('legacy1', `${SCHEMA}
      INSERT INTO users VALUES (1, 'a@x', 'admin', '2026-01-01'), (2, 'Bob@x', 'user', '2026-01-02'), (3, 'c@x', 'user', 't');
      INSERT INTO sessions VALUES ('s1', '{}');
      INSERT INTO tags VALUES ('x', 'same');`);
    const fresh = database('new1', `${SCHEMA}
      INSERT INTO users VALUES (1, 'a@x', 'admin', 'other time'), (2, 'bob@x', 'user', '2026-01-02'), (4, 'd@x', 'user', 't');
      INSERT INTO sessions VALUES ('s2', '{}');
      INSERT INTO tags VALUES ('x', 'same');`);
    const r = compareDatabases(legacy, fresh, { skipTables: ['sessions'], ignoreColumns: { '*': ['created_at'] } });
    assert.deepEqual(r.compared, ['tags', 'users']);
    assert.deepEqual(r.differences, [{
      table: 'users', added: 1, removed: 1, changed: 1, columns: { email: 1 }, schema: [],
      samples: [
        { key: 'id=2', kind: 'changed', columns: { email: { legacy: 'Bob@x', new: 'bob@x' } } },
        { key: 'id=4', kind: 'added' },
        { key: 'id=3', kind: 'removed' },
      ],
    }]);
  });

  it('reports nothing for equal databases, and names tables and columns only one side has', () => {
    const legacy = database('legacy2', `${SCHEMA} INSERT INTO tags VALUES ('x', 'n');`);
    assert.deepEqual(compareDatabases(legacy, legacy).differences, []);
    const fresh = database('new2', `${SCHEMA} ALTER TABLE users ADD COLUMN phone TEXT; CREATE TABLE audit (id INTEGER PRIMARY KEY); INSERT INTO tags VALUES ('x', 'n');`);
    const r = compareDatabases(legacy, fresh);
    assert.deepEqual(r.differences.map((d) => [d.table, d.only ?? null, d.schema]), [['audit', 'new', []], ['users', null, ['phone (new only)']]]);
  });

  it('matches rows of a table without a primary key by rowid', () => {
    const legacy = database('legacy3', `${SCHEMA} INSERT INTO tags VALUES ('x', 'one'), ('y', 'two');`);
    const fresh = database('new3', `${SCHEMA} INSERT INTO tags VALUES ('x', 'one'), ('y', 'TWO');`);
    const [d] = compareDatabases(legacy, fresh).differences;
    assert.deepEqual(d?.samples, [{ key: 'rowid=2', kind: 'changed', columns: { note: { legacy: 'two', new: 'TWO' } } }]);
  });
});
