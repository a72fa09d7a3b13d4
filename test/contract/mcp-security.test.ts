import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { AUDIENCE } from '../../lib/tokens.js';
import { legacyMcp } from '../../legacy-adapter/src/mcp/legacy-mcp.js';
import { newBackendMcp } from '../../new-backend/src/mcp/new-backend-mcp.js';
import { assertError } from './contract-target.js';
import { startLegacy, type RunningLegacy } from '../kit/legacy.js';
import { mcpSettings, startMcpServer, TEST_MCP_TOKEN, type RunningMcpServer } from '../kit/mcp.js';
import { startNewBackend, type RunningNewBackend } from '../kit/new-backend.js';
import { tempDir } from '../kit/temp.js';
import { assertCommand, newUser, signIn, TestSocket, type McpTarget } from './mcp-target.js';

const HOUR = 60 * 60 * 1000;
const target = (baseUrl: string, admin: { username: string; password: string }, credential: 'cookie' | 'bearer'): McpTarget =>
  ({ baseUrl, admin, credential, mcpDown: async () => undefined, mcpUp: async () => undefined, teardown: () => undefined });

/** A TCP server that accepts connections and never answers: an MCP server hung, not down. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('/mcp when the MCP server hangs or refuses the service token', { timeout: 120_000 }, () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let mcp: RunningMcpServer;
  const dir = tempDir('strangler-mcp-sec-');
  before(async () => {
    hole = await blackHole();
    mcp = await startMcpServer();
  });
  after(async () => {
    await hole.close();
    await mcp.close();
    dir.cleanup();
  });

  for (const backend of ['legacy', 'new'] as const) {
    for (const [label, settings] of [
      ['hangs', () => mcpSettings({ url: hole.url }, { connectTimeoutMs: 300 })],
      ['refuses MCP_TOKEN', () => mcpSettings(mcp, { serviceToken: `${TEST_MCP_TOKEN}-wrong` })],
    ] as const) {
      it(`${backend}: answers 503 rather than hanging when the server ${label}; the record says failed`, async () => {
        const feature = { settings: settings(), toolsCacheMs: 0 };
        const running = backend === 'legacy'
          ? await startLegacy({ dbPath: dir.file(`${backend}-${label.length}.db`), mcp: legacyMcp(feature) })
          : await startNewBackend({ dbPath: dir.file(`${backend}-${label.length}.db`), mcp: newBackendMcp(feature) });
        try {
          mcp.attach(running.dbPath);
          const t = target(running.url, running.admin, backend === 'legacy' ? 'cookie' : 'bearer');
          const user = await newUser(t, await signIn(t, running.admin.username, running.admin.password));
          assertError(await user.execute('echo hi'), 503, 'Command service unavailable');
          assertError(await user.get('/mcp/tools'), 503, 'Command service unavailable');
          const [record] = (await user.get('/mcp/commands')).body;
          assertCommand(record, { status: 'failed', command: 'echo hi' });
        } finally {
          await running.close();
        }
      });
    }
  }
});

describe('/mcp approvals expire (MCP_APPROVAL_TTL)', { timeout: 120_000 }, () => {
  let mcp: RunningMcpServer;
  let legacy: RunningLegacy;
  let skew = 0;
  const clock = () => Date.now() + skew;
  before(async () => {
    mcp = await startMcpServer();
    const dir = tempDir('strangler-mcp-ttl-');
    legacy = await startLegacy({ dbPath: dir.file('app.db'), mcp: legacyMcp({ settings: mcpSettings(mcp, { approvalTtlMs: HOUR }), clock, feedIntervalMs: 100 }) });
    mcp.attach(legacy.dbPath);
  });
  after(async () => {
    await legacy.close();
    await mcp.close();
  });

  it('a command not approved in time becomes rejected, says why, tells its owner, and can no longer be approved', async () => {
    const t = target(legacy.url, legacy.admin, 'cookie');
    const admin = await signIn(t, legacy.admin.username, legacy.admin.password);
    const user = await newUser(t, admin);
    const socket = await user.socket();
    try {
      const created = await user.execute(`mkdir late-${process.pid}`);
      assert.equal(created.status, 202);
      skew = HOUR + 1000;
      const update = await socket.update(created.body.id, 'rejected');
      assert.equal(update.command?.result.stderr, 'Not approved within 60 min: run the command again to ask again');
      assertError(await admin.post(`/mcp/commands/${created.body.id}/approve`), 409, 'Command is not pending approval');
      assert.equal((await user.get(`/mcp/commands/${created.body.id}`)).body.status, 'rejected');
    } finally {
      skew = 0;
      await socket.close();
    }
  });

  it('an approval in time still runs', async () => {
    const t = target(legacy.url, legacy.admin, 'cookie');
    const admin = await signIn(t, legacy.admin.username, legacy.admin.password);
    const user = await newUser(t, admin);
    const created = await user.execute(`mkdir prompt-${process.pid}`);
    skew = HOUR - 60_000;
    try {
      const approved = await admin.post(`/mcp/commands/${created.body.id}/approve`);
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.body.status, 'executed');
    } finally {
      skew = 0;
    }
  });
});

describe('/mcp/ws credentials', { timeout: 120_000 }, () => {
  let mcp: RunningMcpServer;
  let legacy: RunningLegacy;
  let nb: RunningNewBackend;
  before(async () => {
    mcp = await startMcpServer();
    const dir = tempDir('strangler-mcp-ws-');
    legacy = await startLegacy({ dbPath: dir.file('app.db'), mcp: legacyMcp({ settings: mcpSettings(mcp) }) });
    nb = await startNewBackend({ dbPath: legacy.dbPath, mcp: newBackendMcp({ settings: mcpSettings(mcp) }) });
    mcp.attach(legacy.dbPath);
  });
  after(async () => {
    await nb.close();
    await legacy.close();
    await mcp.close();
  });

  const wsUrl = (base: string) => `${base.replace(/^http/, 'ws')}/mcp/ws`;

  it('refuses a page from another origin (403), accepts its own', async () => {
    const t = target(legacy.url, legacy.admin, 'cookie');
    const admin = await signIn(t, legacy.admin.username, legacy.admin.password);
    const cookie = await admin.client.jar.getCookieString(legacy.url);
    await assert.rejects(TestSocket.open(wsUrl(legacy.url), { cookie, origin: 'https://evil.example' }), { status: 403 });
    const own = await TestSocket.open(wsUrl(legacy.url), { cookie, origin: legacy.url });
    await own.close();
  });

  it('closes with 1008 for a forged cookie, a token for another audience, and a garbage bearer', async () => {
    const forged = await TestSocket.open(wsUrl(legacy.url), { cookie: 'connect.sid=s%3Aabc.forgedsignature' });
    assert.equal((await forged.closed).code, 1008);
    const mcpToken = (await nb.tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.mcp })).token;
    const wrongAudience = await TestSocket.open(wsUrl(nb.url), { authorization: `Bearer ${mcpToken}` });
    assert.equal((await wrongAudience.closed).code, 1008);
    const garbage = await TestSocket.open(wsUrl(nb.url), { authorization: 'Bearer not.a.token' });
    assert.equal((await garbage.closed).code, 1008);
  });

  it('a socket whose session was logged out cannot run commands: error, then closed with 1008 (legacy: session; new: revoked token)', async () => {
    for (const [base, credential] of [[legacy.url, 'cookie'], [nb.url, 'bearer']] as const) {
      const t = target(base, legacy.admin, credential);
      const user = await newUser(t, await signIn(t, legacy.admin.username, legacy.admin.password));
      const socket = await user.socket();
      assert.equal((await user.post('/auth/logout')).status, 200);
      socket.send({ type: 'execute_command', id: 'after-logout', tool: 'terminal_command', params: { command: 'echo hi' } });
      assert.deepEqual(await socket.reply('after-logout'), { type: 'error', id: 'after-logout', error: 'Not authenticated' });
      assert.equal((await socket.closed).code, 1008, base);
    }
  });

  it('records the MCP session of each user in mcp_sessions and updates last_active_at', async () => {
    const t = target(legacy.url, legacy.admin, 'cookie');
    const user = await newUser(t, await signIn(t, legacy.admin.username, legacy.admin.password));
    await user.execute('echo one');
    const first = legacy.db.prepare('SELECT session_id, created_at, last_active_at FROM mcp_sessions WHERE user_id = ?').all(user.user.id) as Array<{ session_id: string; created_at: string; last_active_at: string }>;
    assert.equal(first.length, 1);
    await user.execute('echo two');
    const second = legacy.db.prepare('SELECT session_id, created_at, last_active_at FROM mcp_sessions WHERE user_id = ?').all(user.user.id) as typeof first;
    assert.equal(second.length, 1, 'the session is reused');
    assert.equal(second[0]?.session_id, first[0]?.session_id);
    assert.ok((second[0]?.last_active_at ?? '') >= (first[0]?.last_active_at ?? ''));
    assert.ok((second[0]?.last_active_at ?? '') >= (second[0]?.created_at ?? ''));
  });
});

describe('/mcp/ws keepalive', { timeout: 120_000 }, () => {
  let mcp: RunningMcpServer;
  let legacy: RunningLegacy;
  before(async () => {
    mcp = await startMcpServer();
    const dir = tempDir('strangler-mcp-ping-');
    legacy = await startLegacy({ dbPath: dir.file('app.db'), mcp: legacyMcp({ settings: mcpSettings(mcp), pingIntervalMs: 100 }) });
    mcp.attach(legacy.dbPath);
  });
  after(async () => {
    await legacy.close();
    await mcp.close();
  });

  it('keeps a socket that answers pings, and drops one that does not', async () => {
    const t = target(legacy.url, legacy.admin, 'cookie');
    const admin = await signIn(t, legacy.admin.username, legacy.admin.password);
    const cookie = await admin.client.jar.getCookieString(legacy.url);
    const url = `${legacy.url.replace(/^http/, 'ws')}/mcp/ws`;
    const open = (autoPong: boolean) => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { cookie }, autoPong });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const [live, silent] = [await open(true), await open(false)];
    let pings = 0;
    await new Promise<void>((resolve) => live.on('ping', () => ++pings === 5 && resolve()));
    assert.equal(live.readyState, WebSocket.OPEN, 'a socket that answers stays');
    const code = silent.readyState === WebSocket.CLOSED ? 1006 : await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    assert.equal(code, 1006, 'a socket that never answers is cut');
    live.close();
  });
});
