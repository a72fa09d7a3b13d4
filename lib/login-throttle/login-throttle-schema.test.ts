import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { createKysely } from '../../new-backend/src/db/connect.js';
import { migrateToLatest } from '../../new-backend/src/db/migrator.js';
import { splitStatements } from '../../new-backend/src/db/migrations/0001-baseline.js';
import { LOGIN_THROTTLE_SQL as MIGRATION_SQL } from '../../new-backend/src/db/migrations/0005-login-throttle.js';
import { createLoginThrottle } from './login-throttle.js';
import { createLoginThrottleTable, LOGIN_THROTTLE_SQL } from './login-throttle-schema.js';
import { sqliteThrottleSql } from './sqlite-throttle-sql.js';

describe('login_throttle table', () => {
  const dir = tempDir('strangler-throttle-schema-');
  after(() => dir.cleanup());

  it('is created by the legacy app with the text of the new backend\'s migration 0005, statement for statement', () => {
    assert.deepEqual(splitStatements(LOGIN_THROTTLE_SQL), splitStatements(MIGRATION_SQL));
  });

  it('exists on a file the new backend never migrated, and migrating it later keeps the counters', async () => {
    const sqlite = openDatabase(dir.file('legacy-first.db'));
    createLegacySchema(sqlite);
    createLoginThrottleTable(sqlite);
    const throttle = createLoginThrottle(sqliteThrottleSql(sqlite));
    for (let i = 0; i < 5; i++) assert.equal((await throttle.begin('bob', undefined)).ok, true);
    const db = createKysely(sqlite);
    try {
      assert.ok((await migrateToLatest(db)).ok);
      assert.equal((await throttle.begin('bob', undefined)).ok, false, 'still locked after the migration');
    } finally {
      await db.destroy();
    }
  });

  it('lets the legacy app start on a file the new backend migrated first (a no-op)', async () => {
    const sqlite = openDatabase(dir.file('migrated-first.db'));
    const db = createKysely(sqlite);
    try {
      assert.ok((await migrateToLatest(db)).ok);
      createLegacySchema(sqlite);
      createLoginThrottleTable(sqlite);
      assert.equal((await createLoginThrottle(sqliteThrottleSql(sqlite)).begin('bob', undefined)).ok, true);
    } finally {
      await db.destroy();
    }
  });
});
