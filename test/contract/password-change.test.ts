import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer } from '../kit/new-backend.js';
import { startSystem, type RunningSystem } from '../kit/system.js';
import type { ApiClient } from '../kit/client.js';

/**
 * A password change ends every other credential of the user, on both sides, whichever
 * backend serves it; the browser that made the change stays logged in (OWASP's session rule,
 * SECURITY J9; docs/frontend-contract.md).
 */
describe('a password change ends the user\'s other sessions and tokens', () => {
  let system: RunningSystem;
  let admin: ApiClient;
  let n = 0;
  before(async () => {
    system = await startSystem();
    admin = system.client();
    assert.equal((await admin.login(system.admin.username, system.admin.password)).status, 200);
  });
  after(() => system.close());

  async function newUser(): Promise<{ id: number; username: string; password: string }> {
    n += 1;
    const username = `pw${n}${Date.now() % 100000}`;
    const password = 'first-password-123';
    const res = await admin.post('/users', { username, name: 'Pw User', email: `${username}@example.test`, password });
    assert.equal(res.status, 201, res.text);
    return { id: res.body.id as number, username, password };
  }

  async function loggedIn(user: { username: string; password: string }): Promise<ApiClient> {
    const browser = system.client();
    assert.equal((await browser.login(user.username, user.password)).status, 200);
    return browser;
  }

  for (const side of ['legacy', 'new'] as const) {
    it(`with users on ${side}: the other browser is logged out on both sides, the one that changed it is not`, async () => {
      await system.route({ auth: 'legacy', users: side });
      const user = await newUser();
      const changer = await loggedIn(user);
      const other = await loggedIn(user);
      assert.equal((await other.get(`/users/${user.id}`)).status, 200, 'both browsers work before the change');
      const changed = await changer.put(`/users/${user.id}`, { password: 'second-password-456' });
      assert.equal(changed.status, 200, changed.text);
      assert.equal((await other.get('/auth/me')).status, 401, 'the other browser is logged out on legacy');
      assert.equal((await other.get(`/users/${user.id}`)).status, 401, `the other browser gets no token for ${side === 'new' ? 'new' : 'legacy'}`);
      await system.route({ users: side === 'new' ? 'legacy' : 'new' });
      assert.equal((await other.get(`/users/${user.id}`)).status, 401, 'nor on the other side');
      assert.equal((await changer.get('/auth/me')).status, 200, 'the browser that made the change stays logged in');
      assert.equal((await changer.get(`/users/${user.id}`)).status, 200, 'on both sides');
    });
  }

  it('a change on legacy refuses the new backend\'s earlier access and refresh tokens', async () => {
    await system.route({ auth: 'new', users: 'legacy' });
    const user = await newUser();
    const pair = await system.client().post('/auth/token', { username: user.username, password: user.password });
    assert.equal(pair.status, 200, pair.text);
    const access = pair.body.access_token as string;
    const refreshToken = pair.body.refresh_token as string;
    assert.equal((await system.client().get('/auth/me', { headers: bearer(access) })).status, 200);
    const changed = await admin.put(`/users/${user.id}`, { password: 'second-password-456' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await system.client().get('/auth/me', { headers: bearer(access) })).status, 401, 'the old access token is refused');
    assert.equal((await system.client().post('/auth/refresh', { refresh_token: refreshToken })).status, 401, 'the old refresh token mints nothing');
    await system.route({ auth: 'legacy' });
  });
});
