import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientResponse } from '../kit/client.js';
import { startSystem, type RunningSystem } from '../kit/system.js';

interface User { id: number; username: string }

/** The answer came from `backend` with `status`. */
function served(res: ClientResponse, backend: 'legacy' | 'new', status: number): void {
  assert.equal(res.headers.get('x-backend'), backend, `expected ${backend} to answer, got ${res.headers.get('x-backend')} (${res.status} ${res.text.slice(0, 120)})`);
  assert.equal(res.status, status, `expected ${status} from ${backend}, got ${res.status} ${res.text.slice(0, 200)}`);
}

// Issue #4's cutover, as one browser lives it: ONE cookie jar from start to end, and no
// login but the two the story names. Routing changes both ways the team would make them:
// the admin API (PUT /__proxy/routes/:name) and an edit of routes.yaml the proxy picks up.
describe('cutover journey: auth and users move to new and back, one browser, never logged out by a flip', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  before(async () => {
    system = await startSystem({ watch: true });
  });
  after(() => system?.close());

  async function flipWithAdminApi(route: 'auth' | 'users', target: 'legacy' | 'new'): Promise<void> {
    const res = await system.adminApi(`routes/${route}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target }) });
    assert.equal(res.status, 200, await res.text());
    assert.equal(system.proxy.table().routes.find((r) => r.name === route)?.target, target);
  }

  it('logs in on legacy, flips users then auth to new, logs out and in on new, flips back, and stays logged in', async () => {
    const browser = system.client();

    // 1. Log in with auth on legacy.
    const login = await browser.login(system.admin.username, system.admin.password);
    served(login, 'legacy', 200);
    const admin = login.body as User;
    assert.ok(await browser.cookie('connect.sid'));

    // 2. Flip users to new; the same cookie lists and creates users there, bridged.
    await flipWithAdminApi('users', 'new');
    const list = await browser.get('/users');
    served(list, 'new', 200);
    assert.ok((list.body as User[]).some((u) => u.id === admin.id));
    const username = `journey_${process.pid}`;
    const created = await browser.post('/users', { username, name: 'Journey User', email: `${username}@example.test`, password: 'journey-password' });
    served(created, 'new', 201);
    const relisted = await browser.get('/users');
    served(relisted, 'new', 200);
    assert.ok((relisted.body as User[]).some((u) => u.username === username));
    // One database: the legacy side sees the user the new backend wrote.
    assert.ok(system.legacy.db.prepare('SELECT 1 FROM users WHERE username = ?').get(username));
    served(await browser.get('/auth/me'), 'legacy', 200);

    // 3. Flip auth to new by editing routes.yaml; /auth/me still answers, now from new.
    await system.route({ auth: 'new', users: 'new' });
    const me = await browser.get('/auth/me');
    served(me, 'new', 200);
    assert.equal((me.body as User).id, admin.id);
    assert.deepEqual(me.setCookies, [], 'no new cookie: the same session goes on');

    // 4. Log out, served by new: the legacy session is destroyed and the cookie cleared.
    const cookieBeforeLogout = `connect.sid=${await browser.cookie('connect.sid')}`;
    const logout = await browser.post('/auth/logout');
    served(logout, 'new', 200);
    assert.equal(await browser.cookie('connect.sid'), undefined, 'the browser dropped its cookie');

    // 5. A legacy route now answers 401 (users back on legacy), even to the old cookie replayed.
    await flipWithAdminApi('users', 'legacy');
    served(await browser.get('/users'), 'legacy', 401);
    served(await system.client().get('/users', { headers: { cookie: cookieBeforeLogout } }), 'legacy', 401);

    // 6. Log in again, on new: the session it makes is the legacy app's own.
    const again = await browser.login(system.admin.username, system.admin.password);
    served(again, 'new', 200);
    served(await browser.get('/users'), 'legacy', 200);

    // 7. Flip everything back to legacy: still logged in, with no login in between.
    await system.route({ auth: 'legacy', users: 'legacy', mcp: 'legacy' });
    const back = await browser.get('/auth/me');
    served(back, 'legacy', 200);
    assert.equal((back.body as User).id, admin.id);
    served(await browser.get('/users'), 'legacy', 200);
  });
});
