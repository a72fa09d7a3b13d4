import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDatabase, type SqliteDatabase } from '../../../lib/sqlite.js';
import { ISSUER } from '../../../lib/tokens.js';
import { createLegacySchema } from '../../../legacy-adapter/src/schema.js';
import { newSessionData, SESSION_MAX_AGE_MS } from '../../../lib/legacy-session/session-cookie.js';
import { createKysely } from '../../../new-backend/src/db/connect.js';
import { migrateToLatest } from '../../../new-backend/src/db/migrator.js';
import { tempDir } from '../../../test/kit/temp.js';
import type { BridgeSessions } from './bridge-sessions.js';
import { createSqliteBridgeSessions } from './sqlite-bridge-sessions.js';

const logs: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });

function addUser(db: SqliteDatabase, username: string, role: 'admin' | 'user' = 'user'): number {
  return Number(db.prepare("INSERT INTO users (username, name, email, password, role) VALUES (?, 'N', ?, 'x', ?)").run(username, `${username}@example.test`, role).lastInsertRowid);
}

function sessJson(db: SqliteDatabase, sid: string): { json: Record<string, unknown>; expiresAt: number } | undefined {
  const row = db.prepare<[string], { sess: string; expires_at: number }>('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(sid);
  return row ? { json: JSON.parse(row.sess) as Record<string, unknown>, expiresAt: row.expires_at } : undefined;
}

describe('SQLite bridge sessions', () => {
  const dir = tempDir('strangler-bridge-sessions-');
  let db: SqliteDatabase;
  let sessions: BridgeSessions;

  before(() => {
    db = openDatabase(dir.file('app.db'));
    createLegacySchema(db);
    sessions = createSqliteBridgeSessions(db, logger);
  });
  after(() => {
    sessions.close();
    db.close();
    dir.cleanup();
  });

  it('creates sessions in the legacy format, under fresh uid-safe(24) ids', () => {
    const userId = addUser(db, 'creator');
    const data = newSessionData(userId);
    const a = sessions.create(data);
    const b = sessions.create(data);
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, b);
    const raw = db.prepare<[string], { sess: string; expires_at: number }>('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(a);
    assert.equal(raw?.sess, JSON.stringify(data));
    assert.equal(raw?.expires_at, Date.parse(data.cookie.expires as string));
  });

  it('finds a live session with its user, role and cookie max age', () => {
    const userId = addUser(db, 'finder', 'admin');
    const data = newSessionData(userId);
    const sid = sessions.create(data);
    const found = sessions.find(sid, undefined, Date.now());
    assert.deepEqual(found, {
      ok: true,
      session: { userId, role: 'admin', expiresAt: Date.parse(data.cookie.expires as string), originalMaxAge: SESSION_MAX_AGE_MS, validAfter: 0, revoked: false },
    });
  });

  for (const [label, spoil] of [
    ['destroyed', (sid: string) => sessions.remove(sid)],
    ['expired', (sid: string) => db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?').run(Date.now() - 1000, sid)],
    ['whose user was deleted', (sid: string) => db.prepare("DELETE FROM users WHERE id = json_extract((SELECT sess FROM sessions WHERE sid = ?), '$.userId')").run(sid)],
    ['with no user in it', (sid: string) => db.prepare("UPDATE sessions SET sess = json_remove(sess, '$.userId') WHERE sid = ?").run(sid)],
  ] as const) {
    it(`refuses a session ${label}`, () => {
      const sid = sessions.create(newSessionData(addUser(db, `spoil_${label.replace(/\W+/g, '_')}`)));
      assert.equal(sessions.find(sid, undefined, Date.now()).ok, true);
      spoil(sid);
      assert.deepEqual(sessions.find(sid, undefined, Date.now()), { ok: false, reason: 'no-session' });
    });
  }

  it('reads a malformed session row as no session, and logs it, without throwing', () => {
    db.prepare("INSERT INTO sessions (sid, sess, expires_at) VALUES ('malformed', '{not json', ?)").run(Date.now() + 60_000);
    assert.deepEqual(sessions.find('malformed', undefined, Date.now()), { ok: false, reason: 'store-error' });
    assert.ok(logs.some((l) => l.includes('reading a session failed')));
  });

  it('touches only cookie.expires and expires_at, keeping what else the session holds', () => {
    const sid = sessions.create(newSessionData(addUser(db, 'toucher')));
    db.prepare("UPDATE sessions SET sess = json_set(sess, '$.flash', 'kept') WHERE sid = ?").run(sid);
    const later = Date.now() + 2 * SESSION_MAX_AGE_MS;
    sessions.touch(sid, later, Date.now());
    const after = sessJson(db, sid);
    assert.equal(after?.expiresAt, later);
    assert.equal((after?.json.cookie as { expires: string }).expires, new Date(later).toISOString());
    assert.equal(after?.json.flash, 'kept');
    assert.equal((after?.json.cookie as { originalMaxAge: number }).originalMaxAge, SESSION_MAX_AGE_MS);
  });

  it('never brings a destroyed or expired session back by touching it', () => {
    const gone = sessions.create(newSessionData(addUser(db, 'gone')));
    sessions.remove(gone);
    sessions.touch(gone, Date.now() + SESSION_MAX_AGE_MS, Date.now());
    assert.equal(sessJson(db, gone), undefined);
    const expired = sessions.create(newSessionData(addUser(db, 'expired')));
    db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?').run(Date.now() - 1, expired);
    sessions.touch(expired, Date.now() + SESSION_MAX_AGE_MS, Date.now());
    assert.ok((sessJson(db, expired)?.expiresAt ?? 0) < Date.now());
  });
});

describe('SQLite bridge sessions: the file as it evolves', () => {
  it('reads no session while the tables are missing, then picks them up, then the token state', async () => {
    const dir = tempDir('strangler-bridge-evolve-');
    const db = openDatabase(dir.file('app.db'));
    let now = Date.now();
    const sessions = createSqliteBridgeSessions(db, logger, () => now);
    try {
      assert.deepEqual(sessions.find('anything', undefined, now), { ok: false, reason: 'store-error' });
      createLegacySchema(db);
      now += 6000;
      const userId = addUser(db, 'evolving');
      const sid = sessions.create(newSessionData(userId, now));
      assert.equal(sessions.find(sid, 'some-jti', now).ok, true);

      // The new backend migrates the same file: tokens-valid-after and the denylist now count.
      const kysely = createKysely(db);
      assert.equal((await migrateToLatest(kysely)).ok, true);
      db.prepare('INSERT INTO user_token_state (user_id, tokens_valid_after) VALUES (?, ?)').run(userId, 1234);
      db.prepare('INSERT INTO revoked_tokens (iss, jti, expires_at) VALUES (?, ?, ?)').run(ISSUER, 'revoked-jti', Math.floor(now / 1000) + 600);
      now += 6000;
      const revoked = sessions.find(sid, 'revoked-jti', now);
      assert.ok(revoked.ok);
      assert.equal(revoked.session.validAfter, 1234);
      assert.equal(revoked.session.revoked, true);
      const other = sessions.find(sid, 'other-jti', now);
      assert.ok(other.ok);
      assert.equal(other.session.revoked, false);
    } finally {
      sessions.close();
      db.close();
      dir.cleanup();
    }
  });
});
