import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueName } from '../kit/unique.js';
import { assertError, assertUser, type ContractContext } from './contract-target.js';

const FORBIDDEN = 'Insufficient permissions';
const NOT_AUTH = 'Not authenticated';
const NOT_FOUND = 'User not found';
const BAD_IDS = ['abc', '0', '-1', '1.5', '01', '1e3', '99999999999999999999'];

export function usersByIdContract(ctx: ContractContext): void {
  describe('GET /users/:id', () => {
    it('answers an admin with any user', async () => {
      const user = await ctx.user();
      const res = await (await ctx.admin()).get(`/users/${user.id}`);
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, username: user.username, email: user.email, role: 'user' });
    });

    it('answers a user with themself', async () => {
      const user = await ctx.user();
      const res = await user.client.get(`/users/${user.id}`);
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, username: user.username });
    });

    it("answers 403 to a user asking for someone else, existing or not", async () => {
      const [user, other] = [await ctx.user(), await ctx.user()];
      assertError(await user.client.get(`/users/${other.id}`), 403, FORBIDDEN);
      assertError(await user.client.get('/users/999999999'), 403, FORBIDDEN);
      assertError(await user.client.get('/users/abc'), 403, FORBIDDEN);
    });

    it('answers 401 when logged out', async () => {
      assertError(await ctx.client().get('/users/1'), 401, NOT_AUTH);
    });

    it('answers 404 to an admin for an id that does not exist', async () => {
      assertError(await (await ctx.admin()).get('/users/999999999'), 404, NOT_FOUND);
    });

    for (const id of BAD_IDS) {
      it(`answers 404 for the non-numeric or non-positive id "${id}"`, async () => {
        assertError(await (await ctx.admin()).get(`/users/${id}`), 404, NOT_FOUND);
      });
    }
  });

  describe('PUT /users/:id', () => {
    it('lets an admin change name, email and role; username is ignored', async () => {
      const user = await ctx.user();
      const email = `${uniqueName('e')}@example.test`;
      const res = await (await ctx.admin()).put(`/users/${user.id}`, { name: ' Renamed ', email, role: 'admin', username: 'ignored_name' });
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, username: user.username, name: 'Renamed', email, role: 'admin' });
      const me = await user.client.get('/auth/me');
      assertUser(me.body, { role: 'admin', name: 'Renamed' });
    });

    it('lets a user edit themself, password included', async () => {
      const user = await ctx.user();
      const res = await user.client.put(`/users/${user.id}`, { name: 'Self Edited', password: 'a-new-password' });
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, name: 'Self Edited', role: 'user' });
      assert.equal((await ctx.client().login(user.username, 'a-new-password')).status, 200);
      assertError(await ctx.client().login(user.username, user.password), 401, 'Incorrect username or password');
    });

    it('answers 200 with the user unchanged to an empty body', async () => {
      const user = await ctx.user();
      const res = await user.client.request('PUT', `/users/${user.id}`);
      assert.equal(res.status, 200);
      assertUser(res.body, { id: user.id, name: user.name, email: user.email });
    });

    it('answers 403 to a user sending role, even their own role', async () => {
      const user = await ctx.user();
      assertError(await user.client.put(`/users/${user.id}`, { role: 'admin' }), 403, FORBIDDEN);
      assertError(await user.client.put(`/users/${user.id}`, { role: 'user', name: 'x' }), 403, FORBIDDEN);
      assertUser((await user.client.get('/auth/me')).body, { role: 'user', name: user.name });
    });

    it('answers 403 to a user editing someone else', async () => {
      const [user, other] = [await ctx.user(), await ctx.user()];
      assertError(await user.client.put(`/users/${other.id}`, { name: 'Hijacked' }), 403, FORBIDDEN);
      assertError(await user.client.put('/users/999999999', { name: 'x' }), 403, FORBIDDEN);
    });

    it('answers 401 when logged out', async () => {
      assertError(await ctx.client().put('/users/1', { name: 'x' }), 401, NOT_AUTH);
    });

    it('answers 404 to an admin for an unknown or non-numeric id, before validating the body', async () => {
      const admin = await ctx.admin();
      assertError(await admin.put('/users/999999999', { name: '' }), 404, NOT_FOUND);
      assertError(await admin.put('/users/abc', { name: 'x' }), 404, NOT_FOUND);
    });

    const cases: [string, Record<string, unknown>, string][] = [
      ['an empty name', { name: '' }, 'Name must be 1-100 characters'],
      ['a name that is not a string', { name: 5 }, 'Name must be 1-100 characters'],
      ['a null email', { email: null }, 'Invalid email address'],
      ['a bad email', { email: 'nope' }, 'Invalid email address'],
      ['a short password', { password: '1234567' }, 'Password must be 8-200 characters'],
      ['an unknown role (admin)', { role: 'owner' }, 'Role must be admin or user'],
      ['a bad name and a bad email (first rule wins)', { email: 'nope', name: '' }, 'Name must be 1-100 characters'],
    ];
    for (const [label, body, message] of cases) {
      it(`answers 400 to ${label}`, async () => {
        const user = await ctx.user();
        assertError(await (await ctx.admin()).put(`/users/${user.id}`, body), 400, message);
      });
    }

    it("answers 400 Email already exists for another user's email, any case", async () => {
      const [user, other] = [await ctx.user(), await ctx.user()];
      assertError(await user.client.put(`/users/${user.id}`, { email: other.email.toUpperCase() }), 400, 'Email already exists');
    });

    it('accepts a user keeping their own email', async () => {
      const user = await ctx.user();
      const res = await user.client.put(`/users/${user.id}`, { email: user.email.toUpperCase() });
      assert.equal(res.status, 200);
      assertUser(res.body, { email: user.email.toUpperCase() });
    });
  });

  describe('DELETE /users/:id', () => {
    it('deletes a user: 204 with no body, then 404', async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      const res = await admin.delete(`/users/${user.id}`);
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      assertError(await admin.get(`/users/${user.id}`), 404, NOT_FOUND);
      assertError(await admin.delete(`/users/${user.id}`), 404, NOT_FOUND);
      assertError(await ctx.client().login(user.username, user.password), 401, 'Incorrect username or password');
    });

    it('answers 400 Cannot delete yourself', async () => {
      const admin = await ctx.admin();
      const me = (await admin.get('/auth/me')).body as { id: number };
      assertError(await admin.delete(`/users/${me.id}`), 400, 'Cannot delete yourself');
      assert.equal((await admin.get('/auth/me')).status, 200);
    });

    it('answers 403 to a non-admin, for themself too', async () => {
      const [user, other] = [await ctx.user(), await ctx.user()];
      assertError(await user.client.delete(`/users/${other.id}`), 403, FORBIDDEN);
      assertError(await user.client.delete(`/users/${user.id}`), 403, FORBIDDEN);
    });

    it('answers 401 when logged out', async () => {
      assertError(await ctx.client().delete('/users/1'), 401, NOT_AUTH);
    });

    for (const id of ['999999999', ...BAD_IDS]) {
      it(`answers 404 for the id "${id}"`, async () => {
        assertError(await (await ctx.admin()).delete(`/users/${id}`), 404, NOT_FOUND);
      });
    }
  });
}
