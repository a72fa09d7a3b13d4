import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { openDatabase, type SqliteDatabase } from '../../lib/sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import { createLegacySchema } from './schema.js';
import { seedAdminIfEmpty } from './seed-admin.js';

describe('seedAdminIfEmpty', () => {
  const dir = tempDir();
  let db: SqliteDatabase;
  let other: SqliteDatabase;
  before(() => {
    db = openDatabase(dir.file('app.db'));
    createLegacySchema(db);
    other = openDatabase(dir.file('app.db'));
  });
  after(() => {
    db.close();
    other.close();
    dir.cleanup();
  });

  it('seeds one admin with a bcrypt hash when users is empty, even when two processes race', async () => {
    const admin = { username: 'root', password: 'a-long-password', email: 'root@example.test' };
    const results = await Promise.all([seedAdminIfEmpty(db, admin, 4), seedAdminIfEmpty(other, admin, 4)]);
    assert.equal(results.filter((r) => r.seeded).length, 1);
    const rows = db.prepare('SELECT username, email, role, password FROM users').all() as { username: string; email: string; role: string; password: string }[];
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0], password: undefined }, { username: 'root', email: 'root@example.test', role: 'admin', password: undefined });
    assert.ok(bcrypt.compareSync('a-long-password', rows[0]?.password ?? ''));
  });

  it('does nothing when a user exists', async () => {
    assert.deepEqual(await seedAdminIfEmpty(db, { username: 'second', password: 'x', email: 'second@example.test' }, 4), { seeded: false });
    assert.equal((db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n, 1);
  });
});
