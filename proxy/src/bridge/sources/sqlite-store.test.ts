import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDatabase, type SqliteDatabase } from '../../../../lib/sqlite.js';
import { tempDir } from '../../../../test/kit/index.js';
import { parseRouteTable, type SessionConfig } from '../../config/index.js';
import type { SessionSource } from './session-source.js';
import { createSqliteSessionStore } from './sqlite-store.js';
import { storeSessionSource } from './store-source.js';

const SECRETS = ['sqlite-store-test-secret-0123456789abcdef'];
const HOUR = 3_600_000;

/** The session block as routes.yaml writes it, checked and defaulted by the real parser. */
function sessionConfig(block: string): SessionConfig {
  const loaded = parseRouteTable(`version: 1
backends:
  legacy:
    url: http://127.0.0.1:5601
    auth: session
    session:
${block.trim().split('\n').map((l) => `      ${l}`).join('\n')}
default: legacy
routes: []
`, { source: 'test.yaml', env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const config = loaded.table.backends.get('legacy')?.session;
  assert.ok(config);
  return config;
}

/** express-session's stored cookie, as both stores keep it. */
const cookie = (expiresAt: number) => ({ originalMaxAge: HOUR, expires: new Date(expiresAt).toISOString(), httpOnly: true, path: '/' });

describe('sqlite session store, through the source the bridge uses', () => {
  const dir = tempDir('strangler-sqlite-store-');
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  let now = Date.now();
  const clock = () => now;
  let db: SqliteDatabase;
  const opened: SessionSource[] = [];

  /** What openSessionSources builds for `source: sqlite`, on this test's file and clock. */
  function source(config: SessionConfig): SessionSource {
    const made = storeSessionSource('sqlite', createSqliteSessionStore(db, config, logger, clock), { config, secrets: SECRETS, secure: false, logger });
    opened.push(made);
    return made;
  }
  const find = (s: SessionSource, sid: string) => s.find({ sid, cookieHeader: undefined, cachedJti: undefined, nowMs: now });

  before(() => {
    db = openDatabase(dir.file('app.db'));
  });
  after(async () => {
    for (const s of opened) await s.close();
    db.close();
    dir.cleanup();
  });

  describe('express-session layout in a table of the app\'s own name', () => {
    const config = sessionConfig('sqlite: { table: app_sessions }\nuser: account.id\nclaims: { role: account.role, plan: billing.plan }');
    before(() => {
      db.exec('CREATE TABLE app_sessions (sid TEXT PRIMARY KEY, sess TEXT NOT NULL, expires_at INTEGER NOT NULL)');
      const put = db.prepare('INSERT INTO app_sessions (sid, sess, expires_at) VALUES (?, ?, ?)');
      put.run('live', JSON.stringify({ cookie: cookie(now + HOUR), account: { id: 12, role: 'editor' }, billing: { plan: 'pro' } }), now + HOUR);
      put.run('expired', JSON.stringify({ cookie: cookie(now - 1), account: { id: 13, role: 'editor' } }), now - 1);
      put.run('anonymous', JSON.stringify({ cookie: cookie(now + HOUR), cart: ['book'] }), now + HOUR);
      put.run('malformed', '{"cookie": {"originalMaxAge": 3600000', now + HOUR);
      put.run('not-an-object', 'null', now + HOUR);
    });

    it('reads the user and the claims from the session data by dot path (no users table)', async () => {
      const found = await find(source(config), 'live');
      assert.ok(found.ok);
      assert.equal(found.session.sub, '12');
      assert.deepEqual(found.session.claims, { role: 'editor', plan: 'pro' });
      assert.equal(found.session.expiresAt, now + HOUR);
      assert.equal(found.session.originalMaxAge, HOUR);
    });

    it('has no session for an expired row, a session with no user, or an unknown id', async () => {
      const s = source(config);
      for (const sid of ['expired', 'anonymous', 'nobody']) assert.deepEqual(await find(s, sid), { ok: false, reason: 'no-session' }, sid);
    });

    it('reads malformed JSON as no session (logged), never as an error or a crash', async () => {
      const s = source(config);
      logs.length = 0;
      assert.deepEqual(await find(s, 'malformed'), { ok: false, reason: 'no-session' });
      assert.deepEqual(await find(s, 'not-an-object'), { ok: false, reason: 'no-session' });
      assert.match(logs.join('\n'), /a session row holds malformed JSON; treated as no session/);
    });

    it('does not read the default sessions table when routes.yaml names another', async () => {
      db.exec('CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, sess TEXT NOT NULL, expires_at INTEGER NOT NULL)');
      db.prepare('INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?)').run('only-in-sessions', JSON.stringify({ cookie: cookie(now + HOUR), account: { id: 1 } }), now + HOUR);
      assert.deepEqual(await find(source(config), 'only-in-sessions'), { ok: false, reason: 'no-session' });
    });
  });

  describe("connect-sqlite3's layout (sid, expired, sess)", () => {
    // connect-sqlite3 is built on the `sqlite3` native module; its rows are written here
    // exactly as its source writes them: CREATE TABLE IF NOT EXISTS <table> (sid PRIMARY KEY,
    // expired, sess), then INSERT OR REPLACE INTO <table> VALUES (sid, now + maxAge, JSON).
    const config = sessionConfig('sqlite: { table: web_sessions, layout: connect-sqlite3 }\nuser: passport.user\nclaims: { role: role }');
    const connectSqlite3Set = (sid: string, sess: Record<string, unknown>, maxAge: number) =>
      db.prepare('INSERT OR REPLACE INTO web_sessions VALUES (?, ?, ?)').run(sid, now + maxAge, JSON.stringify(sess));
    /** connect-sqlite3's get: `SELECT sess FROM <table> WHERE sid = ? AND ? <= expired`. */
    const connectSqlite3Get = (sid: string) => db.prepare('SELECT sess FROM web_sessions WHERE sid = ? AND ? <= expired').get(sid, now) as { sess: string } | undefined;

    before(() => {
      db.exec('CREATE TABLE IF NOT EXISTS web_sessions (sid PRIMARY KEY, expired, sess)');
      connectSqlite3Set('passport', { cookie: cookie(now + HOUR), passport: { user: 'u-77' }, role: 'admin' }, HOUR);
      connectSqlite3Set('stale', { cookie: cookie(now - 1000), passport: { user: 'u-78' } }, -1000);
    });

    it('reads a session connect-sqlite3 wrote, and its expiry from the expired column', async () => {
      const found = await find(source(config), 'passport');
      assert.ok(found.ok);
      assert.equal(found.session.sub, 'u-77');
      assert.deepEqual(found.session.claims, { role: 'admin' });
      assert.equal(found.session.expiresAt, now + HOUR);
      assert.deepEqual(await find(source(config), 'stale'), { ok: false, reason: 'no-session' });
    });

    it('touches the expired column, and writes a login connect-sqlite3 reads back', async () => {
      const s = source(config);
      await s.touch({ sid: 'passport', cookieHeader: undefined, cachedJti: undefined, nowMs: now }, now + 2 * HOUR);
      const row = db.prepare('SELECT expired, sess FROM web_sessions WHERE sid = ?').get('passport') as { expired: number; sess: string };
      assert.equal(row.expired, now + 2 * HOUR);
      assert.equal((JSON.parse(row.sess) as { cookie: { expires: string } }).cookie.expires, new Date(now + 2 * HOUR).toISOString());

      const login = await s.login('u-90', { role: 'user' }, { sid: undefined, cookieHeader: undefined, nowMs: now });
      assert.ok(login.ok);
      const sid = decodeURIComponent(/^connect\.sid=([^;]+)/.exec(login.setCookie[0]!)![1]!).slice(2).split('.')[0]!;
      const stored = connectSqlite3Get(sid);
      assert.ok(stored, 'connect-sqlite3 finds the session the bridge wrote');
      const data = JSON.parse(stored.sess) as { passport: { user: string }; role: string };
      assert.equal(data.passport.user, 'u-90');
      assert.equal(data.role, 'user');
    });
  });

  describe('with a users table joined', () => {
    const config = sessionConfig('sqlite: { table: sessions, users: { table: members, id: member_id } }\nclaims: { role: role, tier: tier }');
    before(() => {
      db.exec('CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, sess TEXT NOT NULL, expires_at INTEGER NOT NULL)');
      db.exec("CREATE TABLE members (member_id INTEGER PRIMARY KEY, role TEXT NOT NULL, tier TEXT)");
      db.prepare('INSERT INTO members (member_id, role, tier) VALUES (?, ?, ?)').run(3, 'admin', 'gold');
      db.prepare('INSERT INTO members (member_id, role, tier) VALUES (?, ?, ?)').run(4, 'user', null);
      const put = db.prepare('INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?)');
      // The session still says "user": the row, not what the session remembers, decides the claims.
      put.run('member-3', JSON.stringify({ cookie: cookie(now + HOUR), userId: 3, role: 'user' }), now + HOUR);
      put.run('member-4', JSON.stringify({ cookie: cookie(now + HOUR), userId: 4 }), now + HOUR);
    });

    it("reads the claims from the user's row", async () => {
      const found = await find(source(config), 'member-3');
      assert.ok(found.ok);
      assert.equal(found.session.sub, '3');
      assert.deepEqual(found.session.claims, { role: 'admin', tier: 'gold' });
      const plain = await find(source(config), 'member-4');
      assert.ok(plain.ok);
      assert.deepEqual(plain.session.claims, { role: 'user' }, 'a NULL column is no claim');
    });

    it('has no session once the user is deleted, though the session row stays', async () => {
      const s = source(config);
      assert.equal((await find(s, 'member-4')).ok, true);
      db.prepare('DELETE FROM members WHERE member_id = ?').run(4);
      assert.deepEqual(await find(s, 'member-4'), { ok: false, reason: 'no-session' });
      assert.ok(db.prepare('SELECT 1 FROM sessions WHERE sid = ?').get('member-4'));
    });
  });

  describe('a table that does not exist yet', () => {
    it('reads as a store error (the fix named once), then recovers once the table is created', async () => {
      const config = sessionConfig('sqlite: { table: late_sessions }');
      const s = source(config);
      logs.length = 0;
      assert.deepEqual(await find(s, 'late'), { ok: false, reason: 'store-error' });
      assert.deepEqual(await find(s, 'late'), { ok: false, reason: 'store-error' });
      // The fix is named once; each request that meets the missing table still counts as a store error.
      assert.equal(logs.filter((l) => /the late_sessions table .*start the legacy app or run `npx strangler db migrate`/.test(l)).length, 1);

      db.exec('CREATE TABLE late_sessions (sid TEXT PRIMARY KEY, sess TEXT NOT NULL, expires_at INTEGER NOT NULL)');
      db.prepare('INSERT INTO late_sessions (sid, sess, expires_at) VALUES (?, ?, ?)').run('late', JSON.stringify({ cookie: cookie(now + 10 * HOUR), userId: 9, role: 'user' }), now + 10 * HOUR);
      // It looks again every few seconds, not on every request.
      assert.deepEqual(await find(s, 'late'), { ok: false, reason: 'store-error' });
      now += 5_001;
      const found = await find(s, 'late');
      assert.ok(found.ok, JSON.stringify(found));
      assert.equal(found.session.sub, '9');
      assert.deepEqual(found.session.claims, { role: 'user' });
    });
  });
});
