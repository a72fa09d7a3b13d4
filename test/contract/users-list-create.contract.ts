import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueName } from '../kit/unique.js';
import { assertError, assertUser, type ContractContext } from './contract-target.js';

const FORBIDDEN = 'Insufficient permissions';
const NOT_AUTH = 'Not authenticated';

function newUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const username = uniqueName('n');
  return { username, name: `New ${username}`, email: `${username}@example.test`, password: 'password-123', ...overrides };
}

export function usersListCreateContract(ctx: ContractContext): void {
  describe('GET /users', () => {
    it('lists every user by id, admin first, as user objects', async () => {
      const user = await ctx.user();
      const res = await (await ctx.admin()).get('/users');
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      const list = res.body as { id: number; username: string }[];
      list.forEach((u) => assertUser(u));
      const ids = list.map((u) => u.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.ok(list.some((u) => u.username === ctx.target.admin.username));
      assert.ok(list.some((u) => u.id === user.id && u.username === user.username));
    });

    it('answers 401 when logged out', async () => {
      assertError(await ctx.client().get('/users'), 401, NOT_AUTH);
    });

    it('answers 403 to a non-admin', async () => {
      assertError(await (await ctx.user()).client.get('/users'), 403, FORBIDDEN);
    });
  });

  describe('POST /users', () => {
    it('creates a user: 201, role user by default, name and email trimmed, who can then log in', async () => {
      const admin = await ctx.admin();
      const body = newUser();
      const res = await admin.post('/users', { ...body, name: `  ${body.name}  `, email: ` ${body.email} `, id: 4242, extra: true });
      assert.equal(res.status, 201);
      assertUser(res.body, { username: body.username, name: body.name, email: body.email, role: 'user' });
      assert.notEqual((res.body as { id: number }).id, 4242, 'unknown fields are ignored');
      const login = await ctx.client().login(body.username as string, body.password as string);
      assert.equal(login.status, 200);
    });

    it('creates an admin when role is admin', async () => {
      const res = await (await ctx.admin()).post('/users', newUser({ role: 'admin' }));
      assert.equal(res.status, 201);
      assertUser(res.body, { role: 'admin' });
    });

    it('answers 401 when logged out, even with an invalid body', async () => {
      assertError(await ctx.client().post('/users', { username: 'x' }), 401, NOT_AUTH);
    });

    it('answers 403 to a non-admin, even with an invalid body', async () => {
      assertError(await (await ctx.user()).client.post('/users', { username: 'x' }), 403, FORBIDDEN);
    });

    const REQUIRED = 'Username, name, email and password are required';
    const cases: [string, Record<string, unknown>, string][] = [
      ['no username', newUser({ username: undefined }), REQUIRED],
      ['an empty name', newUser({ name: '' }), REQUIRED],
      ['a number as email', newUser({ email: 42 }), REQUIRED],
      ['no password', newUser({ password: undefined }), REQUIRED],
      ['a 2-character username', newUser({ username: 'ab' }), 'Username must be 3-32 characters: letters, digits, dot, dash or underscore'],
      ['a 33-character username', newUser({ username: 'a'.repeat(33) }), 'Username must be 3-32 characters: letters, digits, dot, dash or underscore'],
      ['a username with a space', newUser({ username: 'bad name' }), 'Username must be 3-32 characters: letters, digits, dot, dash or underscore'],
      ['a blank name', newUser({ name: '   ' }), 'Name must be 1-100 characters'],
      ['a 101-character name', newUser({ name: 'n'.repeat(101) }), 'Name must be 1-100 characters'],
      ['an email without @', newUser({ email: 'not-an-email' }), 'Invalid email address'],
      ['an email without a dot in the domain', newUser({ email: 'a@b' }), 'Invalid email address'],
      ['an email over 254 characters', newUser({ email: `${'e'.repeat(250)}@x.io` }), 'Invalid email address'],
      ['a 7-character password', newUser({ password: 'short12' }), 'Password must be 8-200 characters'],
      ['a 201-character password', newUser({ password: 'p'.repeat(201) }), 'Password must be 8-200 characters'],
      ['an unknown role', newUser({ role: 'root' }), 'Role must be admin or user'],
      ['a null role', newUser({ role: null }), 'Role must be admin or user'],
      ['a bad username and a bad email (first rule wins)', newUser({ username: 'x', email: 'bad' }), 'Username must be 3-32 characters: letters, digits, dot, dash or underscore'],
      ['a bad password and a bad role (first rule wins)', newUser({ password: 'x', role: 'root' }), 'Password must be 8-200 characters'],
    ];
    for (const [label, body, message] of cases) {
      it(`answers 400 to ${label}`, async () => {
        const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        assertError(await (await ctx.admin()).post('/users', clean), 400, message);
      });
    }

    it('answers 400 Username already exists', async () => {
      const user = await ctx.user();
      assertError(await (await ctx.admin()).post('/users', newUser({ username: user.username })), 400, 'Username already exists');
    });

    it('answers 400 Email already exists, whatever the case of the email', async () => {
      const user = await ctx.user();
      assertError(await (await ctx.admin()).post('/users', newUser({ email: user.email.toUpperCase() })), 400, 'Email already exists');
    });

    it('validates before it checks conflicts', async () => {
      const user = await ctx.user();
      assertError(await (await ctx.admin()).post('/users', newUser({ username: user.username, password: 'x' })), 400, 'Password must be 8-200 characters');
    });
  });
}
