import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTRACT_MESSAGES } from '../../lib/http/contract-messages.js';
import { assertError, type ContractContext } from './contract-target.js';

/** Login throttling and login CSRF (docs/frontend-contract.md, "Auth"), from the browser's side. */
export function loginGuardsContract(ctx: ContractContext): void {
  describe('POST /auth/login throttling', () => {
    it('answers 429 with Retry-After after five failed attempts at one username, even to the right password', async () => {
      const user = await ctx.user();
      for (let i = 0; i < 5; i++) assertError(await ctx.client().login(user.username, `wrong-${i}`), 401, CONTRACT_MESSAGES.badCredentials);
      const locked = await ctx.client().login(user.username, 'wrong-again');
      assertError(locked, 429, CONTRACT_MESSAGES.tooManyLogins);
      const retryAfter = Number(locked.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 5, `Retry-After should be 1-5 seconds, got ${locked.headers.get('retry-after')}`);
      const right = await ctx.client().login(user.username, user.password);
      assertError(right, 429, CONTRACT_MESSAGES.tooManyLogins);
      assert.deepEqual(right.setCookies, [], 'a throttled login sets no cookie');
    });

    it('counts the username case-insensitively', async () => {
      const user = await ctx.user();
      for (let i = 0; i < 5; i++) await ctx.client().login(i % 2 ? user.username.toUpperCase() : user.username, `wrong-${i}`);
      assertError(await ctx.client().login(user.username.toUpperCase(), 'wrong'), 429, CONTRACT_MESSAGES.tooManyLogins);
    });

    it('starts the username again from zero after a successful login', async () => {
      const user = await ctx.user();
      for (let i = 0; i < 4; i++) assertError(await ctx.client().login(user.username, `wrong-${i}`), 401, CONTRACT_MESSAGES.badCredentials);
      assert.equal((await ctx.client().login(user.username, user.password)).status, 200);
      for (let i = 0; i < 5; i++) assertError(await ctx.client().login(user.username, `wrong-${i}`), 401, CONTRACT_MESSAGES.badCredentials);
    });

    it('does not count a request refused for its body (400)', async () => {
      const user = await ctx.user();
      for (let i = 0; i < 8; i++) assertError(await ctx.client().post('/auth/login', { username: user.username }), 400, CONTRACT_MESSAGES.loginRequired);
      assert.equal((await ctx.client().login(user.username, user.password)).status, 200);
    });
  });

  describe('POST /auth/login from another site (login CSRF)', () => {
    const form = (username: string, password: string) => new URLSearchParams({ username, password });

    it('refuses a form posted from another site\'s page with 403, and logs nobody in', async () => {
      const { admin } = ctx.target;
      const client = ctx.client();
      const res = await client.request('POST', '/auth/login', { body: form(admin.username, admin.password), headers: { origin: 'https://evil.example' } });
      assertError(res, 403, CONTRACT_MESSAGES.crossSiteForm);
      assert.deepEqual(res.setCookies, []);
    });

    it('refuses a form posted with Origin: null (a sandboxed frame)', async () => {
      const { admin } = ctx.target;
      assertError(await ctx.client().request('POST', '/auth/login', { body: form(admin.username, admin.password), headers: { origin: 'null' } }), 403, CONTRACT_MESSAGES.crossSiteForm);
    });

    it('accepts the same form from this site\'s own page', async () => {
      const { admin } = ctx.target;
      const client = ctx.client();
      const res = await client.request('POST', '/auth/login', { body: form(admin.username, admin.password), headers: { origin: new URL(ctx.target.baseUrl).origin } });
      assert.equal(res.status, 200, res.text);
      assert.equal((await client.get('/auth/me')).status, 200);
    });

    it('accepts JSON whatever its Origin (a browser cannot send it cross-site without a preflight)', async () => {
      const { admin } = ctx.target;
      const res = await ctx.client().request('POST', '/auth/login', { json: admin, headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 200, res.text);
    });
  });
}
