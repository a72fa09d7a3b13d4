import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError, assertUser, type ContractContext } from './contract-target.js';

const LOGIN_COOKIE = /^connect\.sid=s%3A([A-Za-z0-9_-]+)\.([A-Za-z0-9%]+); Path=\/; Expires=([^;]+); HttpOnly; SameSite=Lax$/;
const CLEARED_COOKIE = 'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax';
const DAY_MS = 24 * 60 * 60 * 1000;

export function authContract(ctx: ContractContext): void {
  describe('GET /health', () => {
    it('answers 200 {"status":"ok"}', async () => {
      const res = await ctx.client().get('/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    });
  });

  describe('POST /auth/login', () => {
    it('logs in with JSON: 200 user and a connect.sid cookie with the contract attributes', async () => {
      const client = ctx.client();
      const { admin } = ctx.target;
      const res = await client.login(admin.username, admin.password);
      assert.equal(res.status, 200);
      assertUser(res.body, { username: admin.username, role: 'admin' });
      assert.equal(res.setCookies.length, 1, `one Set-Cookie expected, got ${JSON.stringify(res.setCookies)}`);
      const match = LOGIN_COOKIE.exec(res.setCookies[0] as string);
      assert.ok(match, `Set-Cookie does not match the contract: ${res.setCookies[0]}`);
      const expires = Date.parse(match[3] as string);
      // A value check with a wide margin, not a timing check: the cookie lives about a day.
      assert.ok(Math.abs(expires - (Date.now() + DAY_MS)) < 10 * 60 * 1000, `Expires should be ~24h ahead, got ${match[3]}`);
    });

    it('logs in with a form-encoded body', async () => {
      const client = ctx.client();
      const { admin } = ctx.target;
      const res = await client.request('POST', '/auth/login', { body: new URLSearchParams({ username: admin.username, password: admin.password }) });
      assert.equal(res.status, 200);
      assertUser(res.body, { username: admin.username });
      assert.equal((await client.get('/auth/me')).status, 200);
    });

    it('refuses a wrong password with 401 and sets no cookie', async () => {
      const res = await ctx.client().login(ctx.target.admin.username, `${ctx.target.admin.password}-wrong`);
      assertError(res, 401, 'Incorrect username or password');
      assert.deepEqual(res.setCookies, []);
    });

    it('refuses an unknown username with the same 401', async () => {
      const res = await ctx.client().login('no_such_user_anywhere', 'whatever-password');
      assertError(res, 401, 'Incorrect username or password');
    });

    for (const [label, body] of [
      ['an empty object', {}],
      ['no password', { username: 'admin' }],
      ['no username', { password: 'x' }],
      ['an empty username', { username: '', password: 'x' }],
      ['an empty password', { username: 'admin', password: '' }],
      ['a number as username', { username: 5, password: 'x' }],
      ['null as password', { username: 'admin', password: null }],
    ] as const) {
      it(`answers 400 to ${label}`, async () => {
        assertError(await ctx.client().post('/auth/login', body), 400, 'Username and password are required');
      });
    }

    it('answers 400 to a login with no body at all', async () => {
      assertError(await ctx.client().request('POST', '/auth/login'), 400, 'Username and password are required');
    });

    it('regenerates the session at login: a new cookie value, and the old session stops working', async () => {
      const client = ctx.client();
      const { admin } = ctx.target;
      assert.equal((await client.login(admin.username, admin.password)).status, 200);
      const first = await client.cookie('connect.sid');
      assert.equal((await client.login(admin.username, admin.password)).status, 200);
      const second = await client.cookie('connect.sid');
      assert.ok(first && second);
      assert.notEqual(second, first);
      const replay = await ctx.client().get('/auth/me', { headers: { cookie: `connect.sid=${first}` } });
      assertError(replay, 401, 'Not authenticated');
    });

    it('never adopts a session id the client made up', async () => {
      const client = ctx.client();
      const planted = 's%3Aplanted-session-id-000000000000.forged';
      const res = await client.request('POST', '/auth/login', { json: ctx.target.admin, headers: { cookie: `connect.sid=${planted}` } });
      assert.equal(res.status, 200);
      assert.ok(!(res.setCookies[0] ?? '').includes('planted'), 'the login cookie must carry a new id');
    });
  });

  describe('GET /auth/me', () => {
    it('answers 401 with no session', async () => {
      assertError(await ctx.client().get('/auth/me'), 401, 'Not authenticated');
    });

    for (const [label, cookie] of [
      ['a forged signature', 'connect.sid=s%3Aabcdefabcdefabcdefabcdefabcdefab.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['an unsigned id', 'connect.sid=abcdefabcdefabcdefabcdefabcdefab'],
      ['garbage', 'connect.sid=%E0%A4%A'],
    ] as const) {
      it(`answers 401 to ${label}`, async () => {
        assertError(await ctx.client().get('/auth/me', { headers: { cookie } }), 401, 'Not authenticated');
      });
    }

    it('answers the logged-in user, and sends no cookie (it is set at login only)', async () => {
      const user = await ctx.user();
      const res = await user.client.get('/auth/me');
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, username: user.username, name: user.name, email: user.email, role: 'user' });
      assert.deepEqual(res.setCookies, []);
    });

    it("answers 401 once the user's account is deleted", async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      assert.equal((await admin.delete(`/users/${user.id}`)).status, 204);
      assertError(await user.client.get('/auth/me'), 401, 'Not authenticated');
    });
  });

  describe('POST /auth/logout', () => {
    it('answers 200, clears the cookie exactly, and the session is gone', async () => {
      const user = await ctx.user();
      const cookie = await user.client.cookie('connect.sid');
      const res = await user.client.post('/auth/logout');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { message: 'Logged out successfully' });
      assert.deepEqual(res.setCookies, [CLEARED_COOKIE]);
      assertError(await user.client.get('/auth/me'), 401, 'Not authenticated');
      // The old cookie, replayed by hand, is dead too: the session was destroyed, not just forgotten.
      assertError(await ctx.client().get('/auth/me', { headers: { cookie: `connect.sid=${cookie}` } }), 401, 'Not authenticated');
    });

    it('answers 200 and clears the cookie even with no session', async () => {
      const res = await ctx.client().post('/auth/logout');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { message: 'Logged out successfully' });
      assert.deepEqual(res.setCookies, [CLEARED_COOKIE]);
    });

    it('logs out one browser without touching another session of the same user', async () => {
      const user = await ctx.user();
      const other = ctx.client();
      assert.equal((await other.login(user.username, user.password)).status, 200);
      assert.equal((await user.client.post('/auth/logout')).status, 200);
      assert.equal((await other.get('/auth/me')).status, 200);
    });
  });
}
