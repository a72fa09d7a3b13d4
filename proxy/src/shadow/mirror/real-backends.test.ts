import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ApiClient, startLegacy, startNewBackend, tempDir, TEST_JWT_SECRETS, TEST_SESSION_SECRETS, uniqueName, type RunningLegacy, type RunningNewBackend } from '../../../../test/kit/index.js';
import { startProxy, type RunningProxy } from '../../../../test/kit/proxy/proxy-harness.js';
import { legacyMcp } from '../../../../legacy-adapter/src/mcp/legacy-mcp.js';
import { newBackendMcp } from '../../../../new-backend/src/mcp/new-backend-mcp.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../../../../test/kit/mcp.js';
import { openSessionBridge } from '../../bridge/index.js';
import type { RouteSummary } from '../store/diff-queries.js';
import { createShadowExtension, type ShadowExtension } from './shadow-extension.js';

// The legacy app and the new backend on one database, the proxy in front with the session
// bridge and shadow on for users and mcp, as the proxy process runs them: every difference
// the report names is a real one between the two backends.

const IGNORES = '[created_at, "*.updated_at"]';

function routesYaml(legacy: string, next: string): string {
  return `version: 1
backends:
  legacy: { url: ${legacy}, auth: session }
  new: { url: ${next}, auth: jwt }
default: legacy
routes:
  - name: auth
    paths: [/auth, /auth/**]
    target: legacy
  - name: users
    paths: [/users, /users/**]
    target: legacy
    shadow: { to: new, ignore: ${IGNORES} }
  - name: mcp
    paths: [/mcp, /mcp/**]
    target: legacy
    shadow: { to: new, methods: [GET], ignore: ${IGNORES} }
`;
}

/** Explains a route's mismatches in an assertion message: path, both values, request. */
function explain(r: RouteSummary | undefined): string {
  if (!r) return 'no comparisons recorded';
  const samples = r.samples.map((s) => `${s.method} ${s.path}: ${s.differences.map((d) => `${d.kind} ${d.path} ${JSON.stringify(d.primary)} → ${JSON.stringify(d.shadow)}`).join('; ')}`);
  return `${r.route}: ${r.matched}/${r.shadowed} matched, errors ${JSON.stringify(r.errorKinds)}; top paths ${JSON.stringify(r.topPaths)}\n  ${samples.join('\n  ')}`;
}

describe('legacy against new on the real routes, shadowed through the proxy', () => {
  const dir = tempDir('shadow-real-');
  let legacy: RunningLegacy;
  let nb: RunningNewBackend;
  let ext: ShadowExtension;
  let proxy: RunningProxy;
  let mcp: RunningMcpServer;

  before(async () => {
    const dbPath = dir.file('app.db');
    mcp = await startMcpServer();
    legacy = await startLegacy({ dbPath, mcp: legacyMcp({ settings: mcpSettings(mcp) }) });
    mcp.attach(dbPath);
    nb = await startNewBackend({ dbPath, mcp: newBackendMcp({ settings: mcpSettings(mcp) }) });
    // HS256 bridged tokens: the new backend verifies them with the JWT_SECRET it shares.
    const bridge = await openSessionBridge({ databasePath: dbPath, sessionSecrets: TEST_SESSION_SECRETS, jwtSecrets: TEST_JWT_SECRETS, tokens: { alg: 'HS256', ttlSec: 300 }, signingKeysFile: dir.file('keys.json'), production: false, logger: pino({ level: 'silent' }) });
    ext = createShadowExtension({ diffsPath: dir.file('diffs.db'), storeOptions: { flushMs: 5 }, authorizeShadow: bridge.authorizeShadow });
    proxy = await startProxy(routesYaml(legacy.url, nb.url), { extensions: [ext, bridge] });
  });
  after(async () => {
    await proxy?.close();
    await nb?.close();
    await legacy?.close();
    await mcp?.close();
    dir.cleanup();
  });

  async function route(name: string): Promise<RouteSummary | undefined> {
    await ext.shadower.idle();
    await ext.shadower.flush();
    return ext.store.summary({ route: name, samples: 10 }).routes[0];
  }

  it('users: every shadowed answer matches (admin, a user, anonymous, missing ids)', async () => {
    const admin = new ApiClient(proxy.url);
    assert.equal((await admin.login(legacy.admin.username, legacy.admin.password)).status, 200);
    const created: { id: number; username: string; password: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const username = uniqueName('shadow');
      const password = `pw-${username}-secret`;
      const res = await admin.post('/users', { username, name: ` Name ${i} `, email: `${username}@Example.test`, password, ...(i === 2 ? { role: 'admin' } : {}) });
      assert.equal(res.status, 201, res.text);
      created.push({ id: (res.body as { id: number }).id, username, password });
    }
    const reads = ['/users', ...created.map((u) => `/users/${u.id}`), '/users/999999', '/users/abc', '/users/0', `/users/${created[0]?.id}/`];
    for (const path of reads) await admin.get(path);
    await admin.request('HEAD', '/users');

    const user = new ApiClient(proxy.url);
    const first = created[0] as { id: number; username: string; password: string };
    assert.equal((await user.login(first.username, first.password)).status, 200);
    for (const path of ['/users', `/users/${first.id}`, `/users/${created[1]?.id}`, '/users/999999']) await user.get(path);
    await new ApiClient(proxy.url).get('/users');
    await new ApiClient(proxy.url).get(`/users/${first.id}`);

    const users = await route('users');
    assert.ok(users && users.shadowed >= reads.length + 6, explain(users));
    assert.equal(users.errors, 0, explain(users));
    assert.equal(users.matchRate, 100, explain(users));
  });

  it('mcp: GET /mcp/commands and the other reads match', async () => {
    const admin = new ApiClient(proxy.url);
    assert.equal((await admin.login(legacy.admin.username, legacy.admin.password)).status, 200);
    const ran = await admin.post('/mcp/execute', { tool_name: 'terminal_command', params: { command: 'echo shadowed' } });
    assert.equal(ran.status, 200, ran.text);
    const pending = await admin.post('/mcp/execute', { tool_name: 'terminal_command', params: { command: 'mkdir shadow-dir' } });
    assert.equal(pending.status, 202, pending.text);
    const id = (ran.body as { id: number }).id;
    for (const path of ['/mcp/commands', '/mcp/commands?limit=1', '/mcp/commands?status=pending_approval', `/mcp/commands/${id}`, '/mcp/commands/999999', '/mcp/tools']) await admin.get(path);
    await new ApiClient(proxy.url).get('/mcp/commands');
    const summary = await route('mcp');
    assert.ok(summary && summary.shadowed >= 7, explain(summary));
    assert.equal(summary.errors, 0, explain(summary));
    assert.equal(summary.matchRate, 100, explain(summary));
  });
});
