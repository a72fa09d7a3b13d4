import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { ISSUER } from '../../../lib/tokens.js';
import { signSessionId } from '../../../lib/legacy-session/session-cookie.js';
import type { ApiClient } from '../../../test/kit/client.js';
import { bearer } from '../../../test/kit/new-backend.js';
import { sessionCookieHeader, sessionIdOf, startSystem, type RunningSystem } from '../../../test/kit/system.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../../test/kit/proxy/echo-backend.js';

interface LoggedIn {
  readonly id: number;
  readonly username: string;
  readonly password: string;
  readonly client: ApiClient;
  readonly sid: string;
  /** `connect.sid=…` as the browser sends it. */
  readonly cookie: string;
}

// Cookie → token (DESIGN §6, SECURITY S1-S5, S7): users are on new, auth on legacy, and an
// echo server declared `auth: jwt` shows exactly what a jwt backend receives.
describe('session bridge: requests to a jwt backend', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  let echo: EchoBackend;
  let adminClient: ApiClient;

  before(async () => {
    echo = await startEchoBackend('echo');
    system = await startSystem({
      routing: { users: 'new' },
      extraBackends: { echo: { url: echo.url, auth: 'jwt' } },
      extraRoutes: [{ name: 'echo', paths: ['/echo', '/echo/**'], target: 'echo' }],
    });
    adminClient = system.client();
    assert.equal((await adminClient.login(system.admin.username, system.admin.password)).status, 200);
  });
  after(async () => {
    await system?.close();
    await echo?.close();
  });

  let seq = 0;
  async function logIn(): Promise<LoggedIn> {
    seq += 1;
    const username = `bridged_${process.pid}_${seq}`;
    const password = `pw-${username}`;
    const created = await adminClient.post('/users', { username, name: 'Bridged', email: `${username}@example.test`, password });
    assert.equal(created.status, 201, created.text);
    const client = system.client();
    const login = await client.login(username, password);
    assert.equal(login.status, 200);
    assert.equal(login.headers.get('x-backend'), 'legacy');
    const sid = await sessionIdOf(client);
    assert.ok(sid);
    return { id: (created.body as { id: number }).id, username, password, client, sid, cookie: `connect.sid=${await client.cookie('connect.sid')}` };
  }

  async function echoed(headers: Record<string, string>): Promise<Echo['headers']> {
    const res = await fetch(`${system.url}/echo/whoami`, { headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'echo');
    return ((await res.json()) as Echo).headers;
  }

  function sessionRow(sid: string): { sess: { cookie: { expires: string; originalMaxAge: number } }; expiresAt: number } {
    const row = system.legacy.db.prepare<[string], { sess: string; expires_at: number }>('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(sid);
    assert.ok(row, `session ${sid} not in the store`);
    return { sess: JSON.parse(row.sess) as never, expiresAt: row.expires_at };
  }

  it('bridges a live legacy session: the new backend answers as the session user', async () => {
    const user = await logIn();
    const res = await user.client.get(`/users/${user.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'new');
    assert.equal((res.body as { username: string }).username, user.username);
  });

  it('mints a bounded EdDSA token any backend verifies through the JWKS: aud of that backend, sub and role, sid a tag of the session, exp within 5 min and the session', async () => {
    const user = await logIn();
    const headers = await echoed({ cookie: user.cookie });
    const token = /^Bearer (.+)$/.exec(String(headers.authorization))?.[1];
    assert.ok(token, `expected a bridged bearer token, got ${String(headers.authorization)}`);
    const now = Date.now();
    const jwks = createRemoteJWKSet(new URL(`${system.url}/__proxy/jwks.json`));
    const { payload: claims, protectedHeader } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'strangler:echo', algorithms: ['EdDSA'] });
    await assert.rejects(jwtVerify(token, jwks, { issuer: ISSUER, audience: 'strangler:new' }), /aud/, 'a token minted for one backend is refused by another');
    assert.equal(claims.sub, String(user.id));
    assert.equal(claims.role, 'user');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(decodeProtectedHeader(token).alg, 'EdDSA');
    assert.equal(typeof claims.sid, 'string');
    const again = decodeJwt(String((await echoed({ cookie: user.cookie })).authorization).slice('Bearer '.length));
    assert.equal(again.sid, claims.sid, 'the same session, the same tag');
    assert.ok(!token.includes(user.sid) && !JSON.stringify(claims).includes(user.sid), 'the raw session id must not be in the token');
    assert.ok((claims.exp as number) <= Math.floor(now / 1000) + 300, `exp ${claims.exp} is more than 5 min ahead`);
    assert.ok((claims.exp as number) * 1000 <= sessionRow(user.sid).expiresAt);
  });

  it('never mints a token that outlives its session', async () => {
    const user = await logIn();
    const ends = Date.now() + 120_000;
    // A session with a two-minute max age, so a touch cannot extend it past the token either.
    system.legacy.db.prepare("UPDATE sessions SET sess = json_set(sess, '$.cookie.expires', ?, '$.cookie.originalMaxAge', 120000), expires_at = ? WHERE sid = ?")
      .run(new Date(ends).toISOString(), ends, user.sid);
    const headers = await echoed({ cookie: user.cookie });
    const claims = decodeJwt(String(headers.authorization).slice('Bearer '.length));
    assert.ok((claims.exp as number) * 1000 <= sessionRow(user.sid).expiresAt, `exp ${claims.exp} is after the session's end`);
    assert.ok((claims.exp as number) < Math.floor(Date.now() / 1000) + 300);
  });

  const refusals: Array<[string, (user: LoggedIn) => Promise<string> | string]> = [
    ['a forged signature', (u) => `connect.sid=${encodeURIComponent(`s:${u.sid}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)}`],
    ['a cookie signed with another secret', (u) => sessionCookieHeader(u.sid, ['another-secret-nobody-configured-0123456789'])],
    ['an unsigned cookie', (u) => `connect.sid=${u.sid}`],
    ['a cookie without the s: prefix', (u) => `connect.sid=${encodeURIComponent(signSessionId(u.sid, system.sessionSecrets).slice(2))}`],
    ['a valid cookie for a destroyed session (logged out on legacy)', async (u) => {
      assert.equal((await u.client.post('/auth/logout')).headers.get('x-backend'), 'legacy');
      return u.cookie;
    }],
    ['a valid cookie for an expired session', (u) => {
      system.legacy.db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?').run(Date.now() - 1000, u.sid);
      return u.cookie;
    }],
    ['a valid cookie for a session whose user was deleted', (u) => {
      // Straight from the table: the session row stays, only its user is gone.
      system.legacy.db.prepare('DELETE FROM users WHERE id = ?').run(u.id);
      return u.cookie;
    }],
  ];
  for (const [label, spoil] of refusals) {
    it(`forwards ${label} with no token: the new backend answers 401 Not authenticated`, async () => {
      const user = await logIn();
      assert.equal((await user.client.get(`/users/${user.id}`)).status, 200, 'bridged before the change');
      const cookie = await spoil(user);
      const res = await system.client().get(`/users/${user.id}`, { headers: { cookie } });
      assert.equal(res.headers.get('x-backend'), 'new');
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { error: 'Not authenticated' });
      const headers = await echoed({ cookie });
      assert.equal(headers.authorization, undefined, 'no Authorization may reach the jwt backend');
    });
  }

  it("passes a client's own Authorization untouched, and the new backend judges it (not the cookie)", async () => {
    const user = await logIn();
    const other = await logIn();
    const headers = await echoed({ cookie: user.cookie, authorization: 'Bearer not-a-token' });
    assert.equal(headers.authorization, 'Bearer not-a-token');
    const garbage = await user.client.get(`/users/${user.id}`, { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(garbage.status, 401, 'a bad bearer is refused even with a live session cookie');
    const theirs = await system.newBackend.mint(other.id);
    const asOther = await user.client.get(`/users/${other.id}`, { headers: bearer(theirs) });
    assert.equal(asOther.status, 200);
    assert.equal((asOther.body as { id: number }).id, other.id);
    assert.equal((await user.client.get(`/users/${user.id}`, { headers: bearer(theirs) })).status, 403, 'the token speaks, not the cookie');
  });

  it('strips identity headers a client sends (X-Auth-*, X-User-*, X-Forwarded-*) and the session cookie, keeping other cookies', async () => {
    const user = await logIn();
    const headers = await echoed({
      cookie: `theme=dark; ${user.cookie}`,
      'x-auth-token': 'forged',
      'x-auth-logout': '1',
      'x-user-id': '1',
      'x-user-role': 'admin',
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    });
    assert.equal(headers.cookie, 'theme=dark');
    for (const name of ['x-auth-token', 'x-auth-logout', 'x-user-id', 'x-user-role']) assert.equal(headers[name], undefined, name);
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.notEqual(headers['x-forwarded-host'], 'evil.example');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.match(String(headers.authorization), /^Bearer /);
  });

  it('reuses one token per session, and never bridges a session once it is destroyed', async () => {
    const user = await logIn();
    const first = (await echoed({ cookie: user.cookie })).authorization;
    const second = (await echoed({ cookie: user.cookie })).authorization;
    assert.ok(first);
    assert.equal(second, first);
    const elsewhere = system.client();
    assert.equal((await elsewhere.login(user.username, user.password)).status, 200);
    const otherSession = (await echoed({ cookie: `connect.sid=${await elsewhere.cookie('connect.sid')}` })).authorization;
    assert.ok(otherSession);
    assert.notEqual(otherSession, first, 'each session has its own token');
    // Destroyed behind the bridge's back, straight in the store: the cache must not outlive it.
    system.legacy.db.prepare('DELETE FROM sessions WHERE sid = ?').run(user.sid);
    assert.equal((await echoed({ cookie: user.cookie })).authorization, undefined);
  });

  it('touches the session as express-session would: cookie.expires = now + originalMaxAge', async () => {
    const user = await logIn();
    const soon = Date.now() + 60 * 60 * 1000;
    system.legacy.db.prepare("UPDATE sessions SET sess = json_set(sess, '$.cookie.expires', ?), expires_at = ? WHERE sid = ?").run(new Date(soon).toISOString(), soon, user.sid);
    const before = Date.now();
    assert.equal((await user.client.get(`/users/${user.id}`)).status, 200);
    const touched = sessionRow(user.sid);
    const maxAge = touched.sess.cookie.originalMaxAge;
    assert.ok(touched.expiresAt >= before + maxAge, `expires_at ${touched.expiresAt} should be at least ${before + maxAge}`);
    assert.equal(new Date(touched.expiresAt).toISOString(), touched.sess.cookie.expires);
    // Within the interval, a second request writes nothing.
    assert.equal((await user.client.get(`/users/${user.id}`)).status, 200);
    assert.equal(sessionRow(user.sid).expiresAt, touched.expiresAt);
  });

  it('keeps the session working after its user changes their password on new, as the legacy app does (a fresh token past tokens-valid-after)', async () => {
    const user = await logIn();
    assert.equal((await user.client.get(`/users/${user.id}`)).status, 200);
    const changed = await user.client.put(`/users/${user.id}`, { password: 'a-brand-new-password' });
    assert.equal(changed.status, 200);
    assert.equal(changed.headers.get('x-backend'), 'new');
    const after = await user.client.get(`/users/${user.id}`);
    assert.equal(after.status, 200, `the legacy session still stands, so the bridge must mint past the password change: ${after.text}`);
    assert.equal((await user.client.get('/auth/me')).status, 200);
  });

  it('never creates or touches a session for a request that has none (saveUninitialized: false)', async () => {
    const count = () => (system.legacy.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
    const before = count();
    await echoed({});
    await echoed({ cookie: 'connect.sid=s%3Anot-a-session.AAAA' });
    assert.equal((await system.client().get('/users')).status, 401);
    assert.equal(count(), before);
  });

  it('counts what it did in the proxy metrics', async () => {
    const user = await logIn();
    await echoed({ cookie: user.cookie });
    await echoed({ cookie: 'connect.sid=unsigned' });
    const text = await (await system.adminApi('metrics')).text();
    for (const event of ['bridged', 'minted', 'bad-cookie']) {
      const value = Number(new RegExp(`^proxy_bridge_events_total\\{event="${event}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      assert.ok(value >= 1, `proxy_bridge_events_total{event="${event}"} should count, metrics say ${value}`);
    }
  });

  it("re-mints when the user's role changes", async () => {
    const user = await logIn();
    assert.equal((await user.client.get('/users')).status, 403);
    assert.equal((await adminClient.put(`/users/${user.id}`, { role: 'admin' })).status, 200);
    assert.equal((await user.client.get('/users')).status, 200);
    const claims = decodeJwt(String((await echoed({ cookie: user.cookie })).authorization).slice('Bearer '.length));
    assert.equal(claims.role, 'admin');
  });
});
