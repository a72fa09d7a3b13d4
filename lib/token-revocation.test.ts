import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './sqlite.js';
import { createRevocationCheck } from './token-revocation.js';
import { createLegacySchema } from '../legacy-adapter/src/schema.js';
import { createKysely } from '../new-backend/src/db/connect.js';
import { migrateToLatest } from '../new-backend/src/db/migrator.js';
import { createTokenState } from '../new-backend/src/auth/token-state.js';
import { tempDir } from '../test/kit/index.js';

describe('shared revocation check (what the proxy and MCP server read)', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('sees nothing revoked on a file the new backend has not migrated yet, and starts seeing once it has', async () => {
    const sqlite = openDatabase(dir.file('early.db'));
    createLegacySchema(sqlite);
    const check = createRevocationCheck(sqlite);
    assert.equal(check.isRevoked('j-1'), false);
    assert.equal(check.validAfter(1), 0);
    const db = createKysely(sqlite);
    try {
      assert.ok((await migrateToLatest(db)).ok);
      sqlite.prepare("INSERT INTO users (username, name, email, password) VALUES ('u1', 'U', 'u@x.io', 'h')").run();
      await createTokenState(db).revoke('j-1', Math.floor(Date.now() / 1000) + 60);
      assert.equal(check.isRevoked('j-1'), true);
    } finally {
      await db.destroy();
    }
  });

  it('reads the denylist by jti under our issuer, ignoring rows past their expiry', async () => {
    const sqlite = openDatabase(dir.file('deny.db'));
    const db = createKysely(sqlite);
    try {
      assert.ok((await migrateToLatest(db)).ok);
      const check = createRevocationCheck(sqlite);
      const now = Math.floor(Date.now() / 1000);
      await createTokenState(db).revoke('live', now + 60);
      sqlite.prepare("INSERT INTO revoked_tokens (iss, jti, expires_at) VALUES ('urn:strangler:auth', 'stale', ?), ('urn:other', 'foreign', ?)").run(now - 10, now + 60);
      assert.equal(check.isRevoked('live'), true);
      assert.equal(check.isRevoked('stale'), false);
      assert.equal(check.isRevoked('foreign'), false);
      assert.equal(check.isRevoked('never'), false);
    } finally {
      await db.destroy();
    }
  });

  it('reads tokens-valid-after as the new backend sets it on a password change', async () => {
    const sqlite = openDatabase(dir.file('valid-after.db'));
    const db = createKysely(sqlite);
    try {
      assert.ok((await migrateToLatest(db)).ok);
      const id = Number(sqlite.prepare("INSERT INTO users (username, name, email, password) VALUES ('u2', 'U', 'u2@x.io', 'h')").run().lastInsertRowid);
      const check = createRevocationCheck(sqlite);
      assert.equal(check.validAfter(id), 0);
      const set = await createTokenState(db).invalidateUser(id);
      assert.equal(check.validAfter(id), set);
      assert.equal(check.validAfter(String(id)), set);
      assert.ok(set > Math.floor(Date.now() / 1000) - 5);
    } finally {
      await db.destroy();
    }
  });
});
