import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, bearer, startLegacy, startNewBackend, uniqueName, type RunningLegacy, type RunningNewBackend } from '../../test/kit/index.js';

/** Both backends on one SQLite file, as in production: whichever served a write, the other sees it. */
async function crossCheck(legacy: RunningLegacy, nb: RunningNewBackend): Promise<void> {
  const browser = new ApiClient(legacy.url);
  assert.equal((await browser.login(legacy.admin.username, legacy.admin.password)).status, 200);
  const root = await nb.login(nb.admin.username, nb.admin.password);

  // Created by legacy (its bcrypt hash), logs in on new.
  const a = uniqueName('a');
  const createdByLegacy = await browser.post('/users', { username: a, name: 'From Legacy', email: `${a}@example.test`, password: 'legacy-password' });
  assert.equal(createdByLegacy.status, 201);
  const tokenA = await nb.login(a, 'legacy-password');
  assert.equal((await nb.client().get('/auth/me', { headers: bearer(tokenA) })).body.name, 'From Legacy');

  // Created by new, logs in on legacy; a conflict is seen across both.
  const b = uniqueName('b');
  const createdByNew = await nb.client().post('/users', { username: b, name: 'From New', email: `${b}@example.test`, password: 'new-password' }, { headers: bearer(root) });
  assert.equal(createdByNew.status, 201);
  assert.equal((await new ApiClient(legacy.url).login(b, 'new-password')).status, 200);
  const dup = await browser.post('/users', { username: b, name: 'Dup', email: `other-${b}@example.test`, password: 'whatever-pw' });
  assert.deepEqual(dup.body, { error: 'Username already exists' });

  // A password changed on new works on legacy at once; a delete on new ends the legacy session.
  assert.equal((await nb.client().put(`/users/${createdByNew.body.id}`, { password: 'changed-on-new' }, { headers: bearer(root) })).status, 200);
  const bOnLegacy = new ApiClient(legacy.url);
  assert.equal((await bOnLegacy.login(b, 'changed-on-new')).status, 200);
  assert.equal((await nb.client().delete(`/users/${createdByNew.body.id}`, { headers: bearer(root) })).status, 204);
  assert.equal((await bOnLegacy.get('/auth/me')).status, 401);
}

describe('both backends on one database file', () => {
  const running: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const r of running.reverse()) await r.close();
  });

  it('legacy first, then the new backend migrates the same file: both keep working', async () => {
    const legacy = await startLegacy();
    running.push(legacy);
    const nb = await startNewBackend({ dbPath: legacy.dbPath });
    running.push(nb);
    await crossCheck(legacy, nb);
  });

  it('new backend first (migrated, admin seeded), then the legacy app starts on it: both keep working', async () => {
    const nb = await startNewBackend();
    running.push(nb);
    const legacy = await startLegacy({ dbPath: nb.dbPath, admin: { ...nb.admin } });
    running.push(legacy);
    const users = legacy.db.prepare('SELECT username FROM users').pluck().all();
    assert.deepEqual(users, ['admin'], 'the legacy app seeds no second admin');
    await crossCheck(legacy, nb);
  });
});
