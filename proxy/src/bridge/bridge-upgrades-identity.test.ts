import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ISSUER } from '../../../lib/tokens.js';
import { readSessionId } from '../../../lib/legacy-session/session-cookie.js';
import type { ApiClient } from '../../../test/kit/client.js';
import { sessionCookieHeader, sessionIdOf, startSystem, type RunningSystem } from '../../../test/kit/system.js';
import { canaryBucket } from '../config/index.js';
import { startEchoBackend, type EchoBackend } from '../../../test/kit/proxy/echo-backend.js';
import { openSocket } from '../../../test/kit/proxy/ws-client.js';

async function adminBrowser(system: RunningSystem): Promise<ApiClient> {
  const browser = system.client();
  assert.equal((await browser.login(system.admin.username, system.admin.password)).status, 200);
  return browser;
}

describe('session bridge: WebSocket upgrades', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  let jwtEcho: EchoBackend;
  let sessionEcho: EchoBackend;
  let cookie: string;
  let sid: string;

  before(async () => {
    jwtEcho = await startEchoBackend('jwt-echo');
    sessionEcho = await startEchoBackend('session-echo');
    system = await startSystem({
      extraBackends: { 'jwt-echo': { url: jwtEcho.url, auth: 'jwt' }, 'session-echo': { url: sessionEcho.url, auth: 'session' } },
      extraRoutes: [{ name: 'ws-jwt', paths: ['/ws-jwt/**'], target: 'jwt-echo' }, { name: 'ws-session', paths: ['/ws-session/**'], target: 'session-echo' }],
    });
    const browser = await adminBrowser(system);
    cookie = `connect.sid=${await browser.cookie('connect.sid')}`;
    sid = (await sessionIdOf(browser)) as string;
  });
  after(async () => {
    await system?.close();
    await jwtEcho?.close();
    await sessionEcho?.close();
  });

  const wsUrl = (path: string) => `${system.url.replace('http', 'ws')}${path}`;

  it('carries the bridged token on an upgrade to a jwt backend, and not the session cookie', async () => {
    const socket = await openSocket(wsUrl('/ws-jwt/socket'), { cookie: `${cookie}; theme=dark` });
    try {
      const authorization = socket.hello.headers.authorization ?? '';
      const token = /^Bearer (.+)$/.exec(authorization)?.[1];
      assert.ok(token, `expected a bridged token on the upgrade, got "${authorization}"`);
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${system.url}/__proxy/jwks.json`)), { issuer: ISSUER });
      assert.equal(typeof payload.sid, 'string');
      assert.ok(!token.includes(sid), 'the raw session id is not in the token');
      assert.equal(socket.hello.headers.cookie, 'theme=dark');
      assert.equal(socket.upgradeHeaders['x-backend'], 'jwt-echo');
    } finally {
      socket.close();
    }
  });

  it('adds no token to an upgrade with a forged cookie', async () => {
    const forged = `connect.sid=${encodeURIComponent(`s:${sid}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)}`;
    const socket = await openSocket(wsUrl('/ws-jwt/socket'), { cookie: forged });
    try {
      assert.equal(socket.hello.headers.authorization, undefined);
    } finally {
      socket.close();
    }
  });

  it('leaves an upgrade to a session backend as the client sent it', async () => {
    const socket = await openSocket(wsUrl('/ws-session/socket'), { cookie });
    try {
      assert.equal(socket.hello.headers.authorization, undefined);
      assert.equal(socket.hello.headers.cookie, cookie);
    } finally {
      socket.close();
    }
  });
});

describe('session bridge: canary identity', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  before(async () => {
    system = await startSystem();
  });
  after(() => system?.close());

  it("keeps every session of a user on the side the user's id hashes to", async () => {
    const admin = await adminBrowser(system);
    const put = await system.adminApi('routes/users', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'legacy', canary: { to: 'new', percent: 50 } }) });
    assert.equal(put.status, 200, await put.text());
    for (let i = 0; i < 8; i++) {
      const username = `canary_${process.pid}_${i}`;
      const password = `pw-${username}`;
      const created = await admin.post('/users', { username, name: 'Canary', email: `${username}@example.test`, password });
      assert.equal(created.status, 201, created.text);
      const { id } = created.body as { id: number };
      const expected = canaryBucket('users', `user:${id}`) < 50 ? 'new' : 'legacy';
      // Two browsers, two sessions: a bucket taken from the session id would split them.
      for (let browser = 0; browser < 2; browser++) {
        const client = system.client();
        assert.equal((await client.login(username, password)).status, 200);
        const res = await client.get(`/users/${id}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-backend'), expected, `user ${id} (bucket ${canaryBucket('users', `user:${id}`).toFixed(1)}), browser ${browser + 1}`);
      }
    }
  });
});

describe('session bridge: SESSION_SECRET rotation (S2)', { timeout: 120_000 }, () => {
  const current = 'rotated-session-secret-current-0123456789abcdef';
  const previous = 'rotated-session-secret-previous-0123456789abcdef';
  let system: RunningSystem;
  before(async () => {
    system = await startSystem({ routing: { auth: 'new', users: 'new' }, sessionSecrets: [current, previous] });
  });
  after(() => system?.close());

  it('still bridges a cookie signed with the previous secret, and signs new cookies with the current one', async () => {
    const browser = await adminBrowser(system);
    const cookie = `connect.sid=${await browser.cookie('connect.sid')}`;
    const sid = await sessionIdOf(browser);
    assert.ok(sid);
    assert.deepEqual(readSessionId(cookie, [current]), { ok: true, sid }, 'a login through new is signed with the first secret');
    const old = await system.client().get('/users', { headers: { cookie: sessionCookieHeader(sid, [previous]) } });
    assert.equal(old.headers.get('x-backend'), 'new');
    assert.equal(old.status, 200, 'a cookie from before the rotation still works');
    const retired = await system.client().get('/users', { headers: { cookie: sessionCookieHeader(sid, ['a-secret-dropped-long-ago-0123456789abcdef']) } });
    assert.equal(retired.status, 401);
  });
});
