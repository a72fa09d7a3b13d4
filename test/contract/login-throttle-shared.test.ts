import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONTRACT_MESSAGES } from '../../lib/http/contract-messages.js';
import { createLogger } from '../../lib/logger.js';
import { openDatabase } from '../../lib/sqlite.js';
import { createLegacyApp } from '../../legacy-adapter/src/legacy-app.js';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { ApiClient, startServer, tempDir, uniqueName, TEST_SESSION_SECRETS } from '../kit/index.js';
import { startSystem, type RunningSystem } from '../kit/system.js';
import { assertError } from './contract-target.js';

/** Creates a user through the proxy as admin; returns its username and password. */
async function newUser(system: RunningSystem): Promise<{ username: string; password: string }> {
  const admin = system.client();
  assert.equal((await admin.login(system.admin.username, system.admin.password)).status, 200);
  const username = uniqueName('t');
  const password = `pw-${username}`;
  const created = await admin.post('/users', { username, name: username, email: `${username}@example.test`, password });
  assert.equal(created.status, 201, created.text);
  return { username, password };
}

describe('login throttling shared by both backends', () => {
  let system: RunningSystem;
  before(async () => {
    system = await startSystem({ routing: { auth: 'legacy' } });
  });
  after(() => system.close());

  it('keeps counting across a flip of auth: five failures on legacy, the sixth on new is refused', async () => {
    const user = await newUser(system);
    for (let i = 0; i < 5; i++) assertError(await system.client().login(user.username, 'wrong-password'), 401, CONTRACT_MESSAGES.badCredentials);
    await system.route({ auth: 'new' });
    try {
      const res = await system.client().login(user.username, user.password);
      assert.equal(res.headers.get('x-backend'), 'new');
      assertError(res, 429, CONTRACT_MESSAGES.tooManyLogins);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    } finally {
      await system.route({ auth: 'legacy' });
    }
  });

  it('counts the token endpoint\'s password grant with the legacy login', async () => {
    const user = await newUser(system);
    for (let i = 0; i < 3; i++) assertError(await system.client().login(user.username, 'wrong-password'), 401, CONTRACT_MESSAGES.badCredentials);
    const token = (body: Record<string, string>) => new ApiClient(system.newBackend.url).post('/auth/token', body);
    for (let i = 0; i < 2; i++) assertError(await token({ grant_type: 'password', username: user.username, password: 'wrong-password' }), 401, CONTRACT_MESSAGES.badCredentials);
    const refused = await token({ grant_type: 'password', username: user.username, password: user.password });
    assertError(refused, 429, CONTRACT_MESSAGES.tooManyLogins);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assertError(await system.client().login(user.username, user.password), 429, CONTRACT_MESSAGES.tooManyLogins);
  });
});

describe('the client address the throttle counts', () => {
  const dir = tempDir('strangler-client-address-');
  const db = openDatabase(dir.file('app.db'));
  createLegacySchema(db);
  const logger = createLogger('legacy', 'silent');
  const trusting = createLegacyApp({ db, sessionSecrets: TEST_SESSION_SECRETS, logger, bcryptRounds: 4 });
  const distrusting = createLegacyApp({ db, sessionSecrets: TEST_SESSION_SECRETS, logger, bcryptRounds: 4, trustProxy: false });
  let servers: Awaited<ReturnType<typeof startServer>>[] = [];
  before(async () => {
    servers = [await startServer(trusting), await startServer(distrusting)];
  });
  after(async () => {
    for (const s of servers) await s.close();
    await trusting.close();
    await distrusting.close();
    db.close();
    dir.cleanup();
  });

  const failures = async (url: string, count: number, forwardedFor: (i: number) => string) => {
    for (let i = 0; i < count; i++) {
      const res = await new ApiClient(url).post('/auth/login', { username: uniqueName('spray'), password: 'Winter2026!' }, { headers: { 'x-forwarded-for': forwardedFor(i) } });
      assertError(res, 401, CONTRACT_MESSAGES.badCredentials);
    }
  };

  it('is the X-Forwarded-For of a trusted proxy (loopback): fifty failures lock that address and no other', async () => {
    const url = servers[0]?.url ?? '';
    await failures(url, 50, () => '203.0.113.5');
    const locked = await new ApiClient(url).post('/auth/login', { username: 'anyone', password: 'x' }, { headers: { 'x-forwarded-for': '203.0.113.5' } });
    assertError(locked, 429, CONTRACT_MESSAGES.tooManyLogins);
    assertError(await new ApiClient(url).post('/auth/login', { username: 'anyone', password: 'x' }, { headers: { 'x-forwarded-for': '203.0.113.6' } }), 401, CONTRACT_MESSAGES.badCredentials);
  });

  it('is the socket\'s address when the peer is not a trusted proxy: a forged X-Forwarded-For changes nothing', async () => {
    const url = servers[1]?.url ?? '';
    await failures(url, 50, (i) => `198.51.100.${i}`);
    const res = await new ApiClient(url).post('/auth/login', { username: 'anyone', password: 'x' }, { headers: { 'x-forwarded-for': '192.0.2.200' } });
    assertError(res, 429, CONTRACT_MESSAGES.tooManyLogins);
  });
});
