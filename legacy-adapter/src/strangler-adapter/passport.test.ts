import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import express, { type Request, type RequestHandler } from 'express';
import session, { MemoryStore } from 'express-session';
import { ApiClient, expressSessionMaxAge, startServer, type RunningServer } from '../../../test/kit/index.js';
import { ADAPTER_KEY_HEADER } from '../../../lib/adapter-protocol.js';
import { stranglerAdapter } from './index.js';

const KEY = 'adapter-test-key-0123456789abcdef0123456789';
const COOKIE = 'app.sid';

interface AppUser { id: number; username: string; password: string; role: string }
const USERS: AppUser[] = [{ id: 41, username: 'grace', password: 'pw-grace', role: 'admin' }, { id: 42, username: 'linus', password: 'pw-linus', role: 'user' }];

// Passport ships no types and the project has none installed: the few calls used here, typed.
interface PassportRequest extends Request {
  user?: AppUser;
  login(user: AppUser, done: (err?: unknown) => void): void;
  logout(done: (err?: unknown) => void): void;
}
interface PassportInstance {
  use(strategy: unknown): void;
  serializeUser(fn: (user: AppUser, done: (err: unknown, id?: number) => void) => void): void;
  deserializeUser(fn: (id: number, done: (err: unknown, user?: AppUser | false) => void) => void): void;
  initialize(): RequestHandler;
  session(): RequestHandler;
  authenticate(name: string): RequestHandler;
}
const require = createRequire(import.meta.url);
const { Passport } = require('passport') as { Passport: new () => PassportInstance };
const { Strategy: LocalStrategy } = require('passport-local') as { Strategy: new (verify: (u: string, p: string, done: (err: unknown, user?: AppUser | false) => void) => void) => unknown };

const asPassport = (req: Request) => req as PassportRequest;
const promised = (run: (done: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => run((err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));

/** A typical production shape: Passport + passport-local, `passport.user` holding the id, a cookie that is not connect.sid. */
function passportApp(store: MemoryStore) {
  const passport = new Passport();
  passport.use(new LocalStrategy((username, password, done) => {
    const user = USERS.find((u) => u.username === username && u.password === password);
    done(null, user ?? false);
  }));
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id, done) => done(null, USERS.find((u) => u.id === id) ?? false));

  const app = express();
  app.use(session({ name: COOKIE, secret: 'passport-secret-0123456789abcdef0123', store, resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(stranglerAdapter({
    key: KEY,
    identify: (req) => {
      const { user } = asPassport(req);
      return user ? { sub: String(user.id), claims: { role: user.role } } : undefined;
    },
    login: (req, sub) => {
      const user = USERS.find((u) => String(u.id) === sub);
      if (!user) throw new Error(`no user ${sub}`);
      return promised((done) => asPassport(req).login(user, done));
    },
    logout: (req) => promised((done) => asPassport(req).logout(done)),
  }));
  app.post('/auth/login', express.json(), passport.authenticate('local'), (req, res) => void res.json({ id: asPassport(req).user?.id }));
  app.get('/auth/me', (req, res) => {
    const { user } = asPassport(req);
    if (!user) return void res.status(401).json({ error: 'Not authenticated' });
    res.json({ id: user.id, role: user.role });
  });
  return app;
}

const keyed = { [ADAPTER_KEY_HEADER]: KEY };

describe('stranglerAdapter in a Passport app', () => {
  let app: RunningServer;
  const store = new MemoryStore();

  before(async () => {
    app = await startServer(passportApp(store));
  });
  after(() => app.close());

  it('identifies a user Passport deserialised from passport.user', async () => {
    const client = new ApiClient(app.url);
    assert.equal((await client.post('/auth/login', { username: 'grace', password: 'pw-grace' })).status, 200);
    const answer = await client.get('/__strangler/session', { headers: keyed });
    assert.equal(answer.body.sub, '41');
    assert.deepEqual(answer.body.claims, { role: 'admin' });
    // The app's own value, passed on as it is.
    expressSessionMaxAge(answer.body.original_max_age, 3_600_000, 'original_max_age');
  });

  it('logs in through the app\'s req.login: a session Passport itself accepts, under a new id', async () => {
    const client = new ApiClient(app.url);
    await client.post('/auth/login', { username: 'linus', password: 'pw-linus' });
    const oldSid = await client.cookie(COOKIE);
    const answer = await client.post('/__strangler/login', { sub: '41', claims: { role: 'admin' } }, { headers: keyed });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.sub, '41');
    assert.equal(answer.setCookies.length, 1);
    assert.match(answer.setCookies[0] ?? '', /^app\.sid=s%3A/);
    assert.notEqual(await client.cookie(COOKIE), oldSid);
    assert.deepEqual((await client.get('/auth/me')).body, { id: 41, role: 'admin' });
    const stale = new ApiClient(app.url);
    await stale.jar.setCookie(`${COOKIE}=${oldSid}`, app.url);
    assert.equal((await stale.get('/auth/me')).status, 401, 'the session the client came with is gone');
  });

  it('logs out through the app\'s req.logout: the old cookie no longer names anyone', async () => {
    const client = new ApiClient(app.url);
    await client.post('/auth/login', { username: 'grace', password: 'pw-grace' });
    const sid = await client.cookie(COOKIE);
    const answer = await client.post('/__strangler/logout', { cookie: COOKIE }, { headers: keyed });
    assert.equal(answer.status, 200);
    assert.ok(answer.setCookies.some((c) => /^app\.sid=;/.test(c)), 'the browser is told to drop the cookie');
    const replay = new ApiClient(app.url);
    await replay.jar.setCookie(`${COOKIE}=${sid}`, app.url);
    assert.equal((await replay.get('/auth/me')).status, 401);
    assert.deepEqual((await replay.get('/__strangler/session', { headers: keyed })).body, { sub: null });
  });
});
