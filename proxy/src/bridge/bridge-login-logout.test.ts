import assert from 'node:assert/strict';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AUDIENCE, createTokenService } from '../../../lib/tokens.js';
import { readSessionId, SESSION_MAX_AGE_MS } from '../../../lib/legacy-session/session-cookie.js';
import { forgeToken, unsignedToken } from '../../../test/kit/forge-token.js';
import { ApiClient } from '../../../test/kit/client.js';
import { expressSessionMaxAge } from '../../../test/kit/express-session.js';
import { startServer, type RunningServer } from '../../../test/kit/server.js';
import { sessionCookieHeader, sessionIdOf, startSystem, type RunningSystem } from '../../../test/kit/system.js';

const CLEARED = 'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax';

/** A real backend whose next answer a test chooses: status and headers (the bridge's signals). */
async function startSignalBackend(): Promise<RunningServer & { answer: { status: number; headers: OutgoingHttpHeaders } }> {
  const control = { answer: { status: 200, headers: {} as OutgoingHttpHeaders } };
  const running = await startServer(createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(control.answer.status, { 'content-type': 'application/json', ...control.answer.headers });
      res.end('{"ok":true}');
    });
  }));
  return Object.defineProperty({ ...running }, 'answer', { get: () => control.answer, set: (a: typeof control.answer) => (control.answer = a) }) as RunningServer & typeof control;
}

/** The cookie with its value and Expires date blanked: what is left are the attributes. */
const shape = (setCookie: string) => setCookie.replace(/^connect\.sid=[^;]+/, 'connect.sid=<value>').replace(/Expires=[^;]+/, 'Expires=<date>');

// Token → session (DESIGN §6, SECURITY S6): auth is on new, users on legacy, so a login on
// one side must be a login on the other, with the legacy app's own cookie and session.
describe('session bridge: answers from a jwt backend', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  let signals: Awaited<ReturnType<typeof startSignalBackend>>;
  let plain: Awaited<ReturnType<typeof startSignalBackend>>;

  before(async () => {
    signals = await startSignalBackend();
    plain = await startSignalBackend();
    system = await startSystem({
      routing: { auth: 'new', users: 'legacy' },
      extraBackends: { signals: { url: signals.url, auth: 'jwt' }, plain: { url: plain.url, auth: 'session' } },
      extraRoutes: [{ name: 'signals', paths: ['/signals/**'], target: 'signals' }, { name: 'plain', paths: ['/plain/**'], target: 'plain' }],
    });
  });
  after(async () => {
    await system?.close();
    await signals?.close();
    await plain?.close();
  });

  const sessionCount = () => (system.legacy.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
  const storedSession = (sid: string) => {
    const row = system.legacy.db.prepare<[string], { sess: string }>('SELECT sess FROM sessions WHERE sid = ?').get(sid);
    return row ? (JSON.parse(row.sess) as { cookie: Record<string, unknown>; userId: number }) : undefined;
  };

  it('logs in through new with the cookie and session the legacy app itself would make, valid on legacy routes', async () => {
    const viaNew = system.client();
    const res = await viaNew.login(system.admin.username, system.admin.password);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'new');
    assert.equal(res.headers.get('x-auth-token'), null, 'the bridge signal never reaches the browser');
    const direct = new ApiClient(system.legacy.url);
    const legacyLogin = await direct.login(system.admin.username, system.admin.password);
    assert.equal(res.setCookies.length, 1);
    assert.equal(shape(res.setCookies[0] as string), shape(legacyLogin.setCookies[0] as string));

    const sid = await sessionIdOf(viaNew);
    const legacySid = await sessionIdOf(direct);
    assert.ok(sid && legacySid);
    assert.match(sid, /^[A-Za-z0-9_-]{32}$/, 'a uid-safe(24) id, as express-session makes');
    const cookieValue = decodeURIComponent(/^connect\.sid=([^;]+)/.exec(res.setCookies[0] as string)?.[1] ?? '');
    assert.deepEqual(readSessionId(`connect.sid=${encodeURIComponent(cookieValue)}`, system.sessionSecrets), { ok: true, sid });
    const ours = storedSession(sid);
    const theirs = storedSession(legacySid);
    assert.ok(ours && theirs);
    assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    expressSessionMaxAge(theirs.cookie.originalMaxAge, SESSION_MAX_AGE_MS);
    assert.deepEqual({ ...ours.cookie, expires: 'x' }, { ...theirs.cookie, expires: 'x', originalMaxAge: SESSION_MAX_AGE_MS });
    assert.equal(ours.userId, theirs.userId);

    const users = await viaNew.get('/users');
    assert.equal(users.headers.get('x-backend'), 'legacy');
    assert.equal(users.status, 200);
    const cookie = `connect.sid=${await viaNew.cookie('connect.sid')}`;
    assert.equal((await new ApiClient(system.legacy.url).get('/auth/me', { headers: { cookie } })).status, 200, 'the legacy app itself accepts it');
  });

  it('makes a new session id at every login and destroys the one the browser came with (regenerate)', async () => {
    const browser = system.client();
    assert.equal((await browser.login(system.admin.username, system.admin.password)).status, 200);
    const first = await sessionIdOf(browser);
    assert.equal((await browser.login(system.admin.username, system.admin.password)).status, 200);
    const second = await sessionIdOf(browser);
    assert.ok(first && second);
    assert.notEqual(second, first);
    assert.equal(storedSession(first), undefined, 'the previous session is destroyed');
    assert.ok(storedSession(second));

    // A correctly signed id the client made up is never adopted, and no row appears under it.
    const planted = 'planted-session-id-0000000000000';
    const res = await system.client().request('POST', '/auth/login', { json: system.admin, headers: { cookie: sessionCookieHeader(planted, system.sessionSecrets) } });
    assert.equal(res.status, 200);
    assert.ok(!(res.setCookies[0] ?? '').includes(planted));
    assert.equal(storedSession(planted), undefined);
  });

  it('logs out through new: the legacy session is destroyed and the cookie cleared by exactly one Set-Cookie', async () => {
    const browser = system.client();
    assert.equal((await browser.login(system.admin.username, system.admin.password)).status, 200);
    const sid = await sessionIdOf(browser);
    assert.ok(sid && storedSession(sid));
    const cookie = `connect.sid=${await browser.cookie('connect.sid')}`;
    const res = await browser.post('/auth/logout');
    assert.equal(res.headers.get('x-backend'), 'new');
    assert.equal(res.headers.get('x-auth-logout'), null);
    assert.deepEqual(res.setCookies, [CLEARED]);
    assert.equal(storedSession(sid), undefined);
    const replay = await system.client().get('/users', { headers: { cookie } });
    assert.equal(replay.headers.get('x-backend'), 'legacy');
    assert.equal(replay.status, 401);
  });

  const refused: Array<[string, () => Promise<{ status: number; headers: OutgoingHttpHeaders }>]> = [
    ['signed with another secret', async () => ({ status: 200, headers: { 'x-auth-token': await forgeToken(system.jwtSecrets[0] as string, { key: new TextEncoder().encode('another-secret-of-at-least-32-bytes!!') }) } })],
    ['minted by another issuer configuration (unknown key id)', async () => ({ status: 200, headers: { 'x-auth-token': (await createTokenService(['a-different-jwt-secret-0123456789abcdef']).mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend })).token } })],
    ['for another audience (the MCP server)', async () => ({ status: 200, headers: { 'x-auth-token': (await system.newBackend.tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.mcp })).token } })],
    ['unsigned (alg none)', async () => ({ status: 200, headers: { 'x-auth-token': unsignedToken(system.jwtSecrets[0] as string) } })],
    ['expired', async () => ({ status: 200, headers: { 'x-auth-token': await forgeToken(system.jwtSecrets[0] as string, { payload: { iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 600 } }) } })],
    ['garbage', async () => ({ status: 200, headers: { 'x-auth-token': 'not.a.token' } })],
    ['valid, but on a failed answer', async () => ({ status: 401, headers: { 'x-auth-token': (await system.newBackend.tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend })).token } })],
  ];
  for (const [label, answer] of refused) {
    it(`never turns an X-Auth-Token ${label} into a session; strips and logs it`, async () => {
      signals.answer = await answer();
      const before = sessionCount();
      const logged = system.logs.length;
      const res = await system.client().post('/signals/login');
      assert.equal(res.headers.get('x-backend'), 'signals');
      assert.equal(res.headers.get('x-auth-token'), null);
      assert.deepEqual(res.setCookies, []);
      assert.equal(sessionCount(), before);
      assert.ok(system.logs.slice(logged).some((l) => l.level === 40 && String(l.msg).includes('X-Auth-Token')), 'a warning names the refused X-Auth-Token');
    });
  }

  it('leaves the signals of a session backend alone (stripped, never acted on)', async () => {
    const token = (await system.newBackend.tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend })).token;
    plain.answer = { status: 200, headers: { 'x-auth-token': token } };
    const before = sessionCount();
    const res = await system.client().get('/plain/anything');
    assert.equal(res.headers.get('x-backend'), 'plain');
    assert.equal(res.headers.get('x-auth-token'), null);
    assert.deepEqual(res.setCookies, []);
    assert.equal(sessionCount(), before);
  });

  it("replaces a jwt backend's own connect.sid cookie, so the browser gets exactly one", async () => {
    const token = (await system.newBackend.tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend })).token;
    signals.answer = { status: 200, headers: { 'x-auth-token': token, 'set-cookie': ['connect.sid=from-the-backend; Path=/', 'other=1; Path=/'] } };
    const res = await system.client().post('/signals/login');
    const sessionCookies = res.setCookies.filter((c) => c.startsWith('connect.sid='));
    assert.equal(sessionCookies.length, 1);
    assert.ok(!(sessionCookies[0] as string).includes('from-the-backend'));
    assert.ok(res.setCookies.includes('other=1; Path=/'));
  });
});

describe('session bridge: behind TLS (COOKIE_SECURE)', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  before(async () => {
    system = await startSystem({ routing: { auth: 'new' }, bridge: { secureCookies: true }, legacy: { secureCookies: true } });
  });
  after(() => system?.close());

  it('sets Secure on the login and logout cookies and stores cookie.secure, as express-session does', async () => {
    // fetch (not the cookie jar, which keeps Secure cookies from plain http) shows the raw headers.
    const login = await fetch(`${system.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(system.admin) });
    assert.equal(login.status, 200);
    const [cookie] = login.headers.getSetCookie();
    assert.match(cookie ?? '', /^connect\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
    const sid = decodeURIComponent(/^connect\.sid=s%3A([^.;]+)\./.exec(cookie ?? '')?.[1] ?? '');
    const row = system.legacy.db.prepare<[string], { sess: string }>('SELECT sess FROM sessions WHERE sid = ?').get(sid);
    assert.equal((JSON.parse(row?.sess ?? '{}') as { cookie?: { secure?: boolean } }).cookie?.secure, true);
    const logout = await fetch(`${system.url}/auth/logout`, { method: 'POST', headers: { cookie: (cookie ?? '').split(';')[0] as string } });
    assert.deepEqual(logout.headers.getSetCookie(), ['connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax']);
  });
});
