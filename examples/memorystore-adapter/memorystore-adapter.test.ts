// The notes example as a team would run it: its MemoryStore app (mounting the adapter) and its
// new API as real processes, and `strangler proxy` in front with the example's own
// routes.yaml. Everything goes through the proxy, as a browser's requests would.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ApiClient, flipUnderLoad, freePorts, runProcess, runTsx, tempDir, type WatchedProcess } from '../../test/kit/index.js';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const ADAPTER_KEY = 'notes-example-adapter-key-0123456789abcdef';
const SESSION_SECRET = 'notes-example-session-secret-0123456789';
const JWT_SECRET = 'notes-example-jwt-secret-0123456789abcdef';
const ADMIN_TOKEN = 'notes-example-admin-token-0123456789abcdef';
const ADA = { username: 'ada', password: 'lovelace-1843' };
const ALAN = { username: 'alan', password: 'turing-1936' };
const ADA_USER = { id: 1, role: 'admin', name: 'Ada Lovelace' };
const ALAN_USER = { id: 2, role: 'editor', name: 'Alan Turing' };

type Route = 'auth' | 'account' | 'notes';
type Backend = 'legacy' | 'api';

describe('examples/memorystore-adapter behind strangler proxy', () => {
  const dir = tempDir('memorystore-adapter-');
  let legacy: WatchedProcess;
  let api: WatchedProcess;
  let proxy: WatchedProcess;
  let proxyUrl: string;
  let legacyUrl: string;

  before(async () => {
    const [legacyPort, apiPort, proxyPort] = await freePorts(3);
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    legacyUrl = `http://127.0.0.1:${legacyPort}`;
    // A copy: flipping a route rewrites the file.
    const routesFile = dir.file('routes.yaml');
    copyFileSync(here('routes.yaml'), routesFile);
    const config = parse(readFileSync(routesFile, 'utf8')) as { backends: { api: { audience: string } } };

    legacy = runTsx(here('legacy-app.js'), { env: { ...process.env, PORT: String(legacyPort), SESSION_SECRET, STRANGLER_ADAPTER_KEY: ADAPTER_KEY } });
    api = runTsx(here('api-server.js'), { env: { ...process.env, PORT: String(apiPort), STRANGLER_URL: proxyUrl, TOKEN_AUDIENCE: config.backends.api.audience, JWT_SECRET } });
    proxy = runProcess(process.execPath, [here('../../scripts/strangler.js'), 'proxy', '--routes', routesFile], {
      cwd: dir.path, // development keys and data files land in the temp folder
      env: {
        ...process.env,
        LOG_LEVEL: 'info', LOG_FORMAT: 'json',
        PROXY_PORT: String(proxyPort), PROXY_ADMIN_TOKEN: ADMIN_TOKEN, JWT_SECRET,
        DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db'),
        NOTES_LEGACY_URL: legacyUrl, NOTES_API_URL: `http://127.0.0.1:${apiPort}`, STRANGLER_ADAPTER_KEY: ADAPTER_KEY,
      },
    });
    await Promise.all([legacy.waitFor(/listening on/), api.waitFor(/listening on/), proxy.waitFor(/listening on/)]);
  });

  after(async () => {
    for (const p of [proxy, api, legacy]) p?.child.kill('SIGTERM');
    await Promise.all([proxy, api, legacy].map((p) => p?.exited(10_000).catch(() => p.kill())));
    dir.cleanup();
  });

  async function route(name: Route, target: Backend): Promise<void> {
    const res = await fetch(`${proxyUrl}/__proxy/routes/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target }),
    });
    assert.equal(res.status, 200, `PUT routes/${name}: ${await res.text()}`);
  }

  async function login(client: ApiClient, who: { username: string; password: string }, on: Backend = 'legacy') {
    const res = await client.post('/login', who);
    assert.equal(res.status, 200, `login ${who.username}: ${res.text}`);
    assert.equal(res.headers.get('x-backend'), on);
    return res;
  }

  /** A request with exactly this Cookie header (a copy of what the browser held). */
  const withCookie = (path: string, cookie: string) => fetch(`${proxyUrl}${path}`, { headers: { cookie } });
  const cookieOf = async (client: ApiClient) => `notes.sid=${await client.cookie('notes.sid')}`;

  it('keeps the adapter\'s path from clients: 404 from the proxy, key or not, while the app answers the proxy', async () => {
    for (const path of ['/__strangler/session', '/__strangler/login', '/__STRANGLER/logout']) {
      for (const headers of [{} as Record<string, string>, { 'x-strangler-adapter-key': ADAPTER_KEY }]) {
        const res = await fetch(`${proxyUrl}${path}`, { method: path.endsWith('session') ? 'GET' : 'POST', headers });
        assert.equal(res.status, 404, path);
        assert.equal(res.headers.get('x-backend'), 'proxy');
      }
    }
    // The app itself does mount it: keyed calls are answered, others refused.
    assert.equal((await fetch(`${legacyUrl}/__strangler/session`)).status, 401);
    const keyed = await fetch(`${legacyUrl}/__strangler/session`, { headers: { 'x-strangler-adapter-key': ADAPTER_KEY } });
    assert.deepEqual(await keyed.json(), { sub: null });
  });

  it('logs in on legacy through the proxy, and routes flipped to the API see the same user and claims', async () => {
    const ada = new ApiClient(proxyUrl);
    const alan = new ApiClient(proxyUrl);
    assert.deepEqual((await login(ada, ADA)).body, ADA_USER);
    await login(alan, ALAN);
    const notesOnLegacy = await ada.get('/notes');
    assert.deepEqual((await ada.get('/me')).body, ADA_USER);

    await route('account', 'api');
    await route('notes', 'api');
    try {
      const me = await ada.get('/me');
      assert.equal(me.headers.get('x-backend'), 'api');
      assert.deepEqual(me.body, ADA_USER, 'the id, role and name the adapter\'s identify read from req.session.user');
      assert.deepEqual((await alan.get('/me')).body, ALAN_USER);
      const notes = await ada.get('/notes');
      assert.equal(notes.headers.get('x-backend'), 'api');
      assert.deepEqual(notes.body, notesOnLegacy.body);
      assert.equal((await new ApiClient(proxyUrl).get('/notes')).status, 401, 'no cookie, no token');
    } finally {
      await route('account', 'legacy');
      await route('notes', 'legacy');
    }
  });

  it('rolls back and forth under a steady request loop: zero failed requests, nobody logged out', async () => {
    const users = [{ client: new ApiClient(proxyUrl), who: ADA }, { client: new ApiClient(proxyUrl), who: ALAN }];
    for (const u of users) await login(u.client, u.who);
    const { failures, served } = await flipUnderLoad(users.map((u) => ({ client: u.client, label: u.who.username })), '/notes', (flip) => route('notes', flip % 2 === 0 ? 'api' : 'legacy'));
    assert.deepEqual(failures, []);
    assert.ok((served.legacy ?? 0) > 5 && (served.api ?? 0) > 5, `both backends served the loop (${JSON.stringify(served)})`);
    await route('account', 'api');
    try {
      for (const u of users) assert.equal((await u.client.get('/me')).status, 200, `${u.who.username} is still logged in on the API`);
    } finally {
      await route('account', 'legacy');
    }
    for (const u of users) assert.equal((await u.client.get('/me')).status, 200, `${u.who.username} is still logged in on legacy`);
  });

  for (const logoutOn of ['legacy', 'api'] as const) {
    it(`a logout answered by ${logoutOn} through the proxy is a 401 on both sides at once`, async () => {
      const ada = new ApiClient(proxyUrl);
      await login(ada, ADA);
      const cookie = await cookieOf(ada);
      await route('notes', 'api');
      await route('auth', logoutOn);
      try {
        assert.equal((await withCookie('/notes', cookie)).status, 200);
        assert.equal((await withCookie('/me', cookie)).status, 200);
        const out = await ada.post('/logout');
        assert.equal(out.status, 200);
        assert.equal(out.headers.get('x-backend'), logoutOn);
        // The very next requests, with the cookie the browser held (or a copy of it).
        const [legacySide, apiSide] = await Promise.all([withCookie('/me', cookie), withCookie('/notes', cookie)]);
        assert.equal(legacySide.status, 401, 'legacy: the session is gone from its MemoryStore');
        assert.equal(apiSide.status, 401, 'api: no token for a gone session');
        assert.equal((await ada.get('/notes')).status, 401, 'the browser, with whatever cookie the logout left it');
        assert.equal((await ada.get('/me')).status, 401);
      } finally {
        await route('auth', 'legacy');
        await route('notes', 'legacy');
      }
    });
  }

  it('turns a login answered by the API into a session the legacy app accepts', async () => {
    const alan = new ApiClient(proxyUrl);
    await route('auth', 'api');
    let answer;
    try {
      answer = await login(alan, ALAN, 'api');
    } finally {
      await route('auth', 'legacy');
    }
    assert.deepEqual(answer.body, ALAN_USER);
    assert.equal(answer.headers.get('x-auth-token'), null, 'the token stays between the API and the proxy');
    assert.ok(answer.setCookies.some((c) => /^notes\.sid=s%3A/.test(c)), `the legacy app's own cookie: ${answer.setCookies.join(' | ')}`);
    const me = await alan.get('/me');
    assert.equal(me.headers.get('x-backend'), 'legacy');
    assert.deepEqual(me.body, ALAN_USER, 'the legacy app finds the user in req.session.user');
    await route('notes', 'api');
    try {
      assert.equal((await alan.get('/notes')).status, 200, 'and the API gets a token for it');
    } finally {
      await route('notes', 'legacy');
    }
  });
});
