import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import session from 'express-session';
import { openDatabase, type SqliteDatabase } from '../sqlite.js';
import { startServer, type RunningServer } from '../../test/kit/server.js';
import { tempDir } from '../../test/kit/temp.js';
import { expressSessionMaxAge } from '../../test/kit/express-session.js';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import {
  clearSessionCookie,
  newSessionData,
  readSessionId,
  serializeSessionCookie,
  SESSION_MAX_AGE_MS,
  sessionCookieOptions,
  sessionExpiry,
  signSessionId,
} from './session-cookie.js';
import { SqliteSessionStore } from './session-store.js';

const OLD = 'old-secret-0123456789abcdef0123456789';
const NEW = 'new-secret-0123456789abcdef0123456789';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

/** A plain express-session app, configured as the legacy app is, to check we speak its format. */
function expressSessionApp(store: SqliteSessionStore, secrets: string[]) {
  const app = express();
  app.use(session({ name: 'connect.sid', secret: secrets, store, resave: false, saveUninitialized: false, rolling: false, cookie: sessionCookieOptions() }));
  app.post('/login/:id', (req, res) => {
    req.session.userId = Number(req.params.id);
    res.json({ ok: true });
  });
  app.get('/whoami', (req, res) => {
    res.json({ userId: req.session.userId ?? null });
  });
  return app;
}

describe('session cookie codec against real express-session', () => {
  const dir = tempDir();
  let db: SqliteDatabase;
  let store: SqliteSessionStore;
  let server: RunningServer;

  before(async () => {
    db = openDatabase(dir.file('app.db'));
    createLegacySchema(db);
    store = new SqliteSessionStore(db, { pruneIntervalMs: 0 });
    server = await startServer(expressSessionApp(store, [NEW, OLD]));
  });
  after(async () => {
    await server.close();
    store.close();
    db.close();
    dir.cleanup();
  });

  it('reads a cookie express-session made, and rebuilds its Set-Cookie byte for byte', async () => {
    const res = await fetch(`${server.url}/login/7`, { method: 'POST' });
    const [setCookie] = res.headers.getSetCookie();
    assert.ok(setCookie);
    const cookieHeader = setCookie.split(';')[0] as string;
    const read = readSessionId(cookieHeader, [NEW, OLD]);
    assert.ok(read.ok, JSON.stringify(read));
    const stored = store.lookup(read.sid);
    assert.equal(stored?.userId, 7);
    assert.equal(serializeSessionCookie(read.sid, stored, [NEW, OLD]), setCookie);
  });

  it('stores sessions exactly as newSessionData builds them (same keys, same order)', async () => {
    const res = await fetch(`${server.url}/login/8`, { method: 'POST' });
    const read = readSessionId(res.headers.getSetCookie()[0], [NEW]);
    assert.ok(read.ok);
    const row = db.prepare<[string], { sess: string; expires_at: number }>('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(read.sid);
    assert.ok(row);
    const stored = JSON.parse(row.sess) as { cookie: { expires: string; originalMaxAge: number } };
    const expires = Date.parse(stored.cookie.expires);
    const built = newSessionData(8, expires - SESSION_MAX_AGE_MS);
    const maxAge = expressSessionMaxAge(stored.cookie.originalMaxAge, SESSION_MAX_AGE_MS);
    assert.equal(row.sess, JSON.stringify({ ...built, cookie: { ...built.cookie, originalMaxAge: maxAge } }));
    assert.equal(row.expires_at, expires);
  });

  it('makes cookies express-session accepts', async () => {
    const sid = store.create(newSessionData(9));
    const cookie = `connect.sid=${encodeURIComponent(signSessionId(sid, [NEW]))}`;
    const res = await fetch(`${server.url}/whoami`, { headers: { cookie } });
    assert.deepEqual(await res.json(), { userId: 9 });
  });

  it('accepts a cookie signed with an older secret still in the list (rotation)', async () => {
    const sid = store.create(newSessionData(10));
    const cookie = `connect.sid=${encodeURIComponent(signSessionId(sid, [OLD]))}`;
    assert.deepEqual(readSessionId(cookie, [NEW, OLD]), { ok: true, sid });
    const res = await fetch(`${server.url}/whoami`, { headers: { cookie } });
    assert.deepEqual(await res.json(), { userId: 10 });
  });

  it('refuses the old secret once it is dropped from the list', () => {
    const cookie = `connect.sid=${encodeURIComponent(signSessionId('some-session-id', [OLD]))}`;
    assert.deepEqual(readSessionId(cookie, [NEW]), { ok: false, reason: 'bad-signature' });
  });
});

describe('readSessionId', () => {
  const secrets = [NEW];
  const good = encodeURIComponent(signSessionId('abcdefabcdefabcdefabcdefabcdefab', secrets));
  const cases: [string, string | undefined, ReturnType<typeof readSessionId>][] = [
    ['a signed cookie', `connect.sid=${good}`, { ok: true, sid: 'abcdefabcdefabcdefabcdefabcdefab' }],
    ['a signed cookie among others', `theme=dark; connect.sid=${good}; lang=en`, { ok: true, sid: 'abcdefabcdefabcdefabcdefabcdefab' }],
    ['no Cookie header', undefined, { ok: false, reason: 'absent' }],
    ['other cookies only', 'theme=dark', { ok: false, reason: 'absent' }],
    ['an unsigned id', 'connect.sid=abcdefabcdefabcdefabcdefabcdefab', { ok: false, reason: 'unsigned' }],
    ['a tampered id', `connect.sid=${good.replace('abcdef', 'abcdeg')}`, { ok: false, reason: 'bad-signature' }],
    ['a tampered mac', `connect.sid=${good.slice(0, -2)}AA`, { ok: false, reason: 'bad-signature' }],
    ['no mac at all', 'connect.sid=s%3Aabcdef', { ok: false, reason: 'bad-signature' }],
    ['broken percent-encoding (left raw, as express-session does)', 'connect.sid=s%3A%E0%A4%A', { ok: false, reason: 'unsigned' }],
    ['an empty value', 'connect.sid=', { ok: false, reason: 'absent' }],
  ];
  for (const [label, header, expected] of cases) {
    it(`reads ${label}`, () => {
      assert.deepEqual(readSessionId(header, secrets), expected);
    });
  }

  it('signs with the first secret only', () => {
    assert.equal(signSessionId('x', [NEW, OLD]), signSessionId('x', [NEW]));
    assert.notEqual(signSessionId('x', [NEW, OLD]), signSessionId('x', [OLD]));
  });

  it('refuses to sign with no secret (a configuration bug)', () => {
    assert.throws(() => signSessionId('x', []), /no session secret/);
  });
});

describe('cookie helpers', () => {
  it('clears the cookie with the contract string', () => {
    assert.equal(clearSessionCookie(), 'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax');
    assert.equal(clearSessionCookie(true), 'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax');
  });

  it('marks Secure only when asked, so stored JSON carries no "secure": false', () => {
    assert.equal('secure' in sessionCookieOptions(), false);
    assert.equal(sessionCookieOptions(true).secure, true);
    assert.equal('secure' in newSessionData(1).cookie, false);
    assert.match(serializeSessionCookie('sid', newSessionData(1, Date.now(), true), [NEW]), /; Secure; SameSite=Lax$/);
  });

  it('takes the expiry from cookie.expires, else a day from now', () => {
    assert.equal(sessionExpiry(newSessionData(1, 1_000)), 1_000 + SESSION_MAX_AGE_MS);
    assert.equal(sessionExpiry({ cookie: { originalMaxAge: null } }, 5_000), 5_000 + SESSION_MAX_AGE_MS);
    assert.equal(sessionExpiry({ cookie: { originalMaxAge: null, expires: 'garbage' } }, 5_000), 5_000 + SESSION_MAX_AGE_MS);
  });
});
