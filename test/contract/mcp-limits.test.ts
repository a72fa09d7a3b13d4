import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { legacyMcp } from '../../legacy-adapter/src/mcp/legacy-mcp.js';
import { openDatabase } from '../../lib/sqlite.js';
import { TOO_MANY_SOCKETS } from '../../lib/mcp-commands/command-socket.js';
import { newBackendMcp } from '../../new-backend/src/mcp/new-backend-mcp.js';
import { startLegacy } from '../kit/legacy.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../kit/mcp.js';
import { startNewBackend } from '../kit/new-backend.js';
import { tempDir } from '../kit/temp.js';
import { waitFor } from '../kit/wait-for.js';
import { newUser, signIn, type McpActor, type McpTarget } from './mcp-target.js';

// Small caps, so a test reaches them in a few calls; the defaults are in command-limits.ts.
const LIMITS = { calls: 4, windowMs: 60_000, pendingPerUser: 2 } as const;
const SOCKETS = 2;

interface Stack {
  readonly target: McpTarget;
  readonly dbPath: string;
  close(): Promise<void>;
}

const backends: Record<'legacy app' | 'new backend', (mcp: RunningMcpServer) => Promise<Stack>> = {
  async 'legacy app'(mcp) {
    const dir = tempDir('strangler-mcp-limits-');
    const legacy = await startLegacy({ dbPath: dir.file('app.db'), mcp: legacyMcp({ settings: mcpSettings(mcp), limits: LIMITS, maxSocketsPerUser: SOCKETS }) });
    mcp.attach(legacy.dbPath);
    const target = { baseUrl: legacy.url, admin: legacy.admin, credential: 'cookie', mcpDown: async () => undefined, mcpUp: async () => undefined, teardown: () => undefined } as const;
    return { target, dbPath: legacy.dbPath, close: async () => { await legacy.close(); dir.cleanup(); } };
  },
  async 'new backend'(mcp) {
    const nb = await startNewBackend({ mcp: newBackendMcp({ settings: mcpSettings(mcp), limits: LIMITS, maxSocketsPerUser: SOCKETS }) });
    mcp.attach(nb.dbPath);
    const target = { baseUrl: nb.url, admin: nb.admin, credential: 'bearer', mcpDown: async () => undefined, mcpUp: async () => undefined, teardown: () => undefined } as const;
    return { target, dbPath: nb.dbPath, close: () => nb.close() };
  },
};

/**
 * What one logged-in user can make the shared database hold, and how many sockets they
 * can hold open: unknown params keys and oversized requests are refused before anything
 * is stored, calls past the rate too, pending commands are capped per user, and so are
 * open /mcp/ws sockets. Each backend, against a real MCP server.
 */
for (const [name, start] of Object.entries(backends)) {
  describe(`/mcp limits on what a user can store and hold open: ${name}`, { timeout: 180_000 }, () => {
    let mcp: RunningMcpServer;
    let stack: Stack;
    let admin: McpActor;
    before(async () => {
      mcp = await startMcpServer();
      stack = await start(mcp);
      admin = await signIn(stack.target, stack.target.admin.username, stack.target.admin.password);
    });
    after(async () => {
      await stack.close();
      await mcp.close();
    });

    const stored = (userId: number): number => {
      const db = openDatabase(stack.dbPath, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM mcp_commands WHERE user_id = ?').get(userId) as { n: number }).n;
      } finally {
        db.close();
      }
    };

    it('refuses an unknown params key with 400 and stores nothing', async () => {
      const user = await newUser(stack.target, admin);
      const res = await user.execute('echo hi', { note: 'x'.repeat(1000) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: 'Unknown parameter: params.note (known: command, cwd, timeout_ms)' });
      assert.equal(stored(user.user.id), 0);
    });

    it('refuses an execute request over 32 KiB with 413 and stores nothing', async () => {
      const user = await newUser(stack.target, admin);
      const res = await user.post('/mcp/execute', { tool_name: 'terminal_command', params: { command: 'echo hi' }, pad: 'x'.repeat(40 * 1024) });
      assert.equal(res.status, 413);
      assert.deepEqual(res.body, { error: 'Request body too large' });
      assert.equal(stored(user.user.id), 0);
    });

    it('refuses calls past the rate before storing them', async () => {
      const user = await newUser(stack.target, admin);
      for (let i = 0; i < LIMITS.calls; i++) assert.equal((await user.execute(`echo ${i}`)).status, 200);
      for (let i = 0; i < 3; i++) {
        const res = await user.execute('echo one more');
        assert.equal(res.status, 403);
        assert.match(String((res.body as { error: string }).error), /^Command not allowed: Too many commands: at most 4 in 60 s; try again shortly \(rule limits:rate\)$/);
      }
      assert.equal(stored(user.user.id), LIMITS.calls);
      const other = await newUser(stack.target, admin);
      assert.equal((await other.execute('echo another user')).status, 200, 'the rate is per user');
    });

    it('caps the commands one user has waiting for approval', async () => {
      const user = await newUser(stack.target, admin);
      for (let i = 0; i < LIMITS.pendingPerUser; i++) assert.equal((await user.execute(`mkdir pending-${process.pid}-${i}`)).status, 202);
      const res = await user.execute(`mkdir pending-${process.pid}-over`);
      assert.equal(res.status, 403);
      assert.match(String((res.body as { error: string }).error), /2 of your commands are already waiting for an admin.*\(rule limits:pending\)$/);
      const pending = await user.get<unknown[]>('/mcp/commands?status=pending_approval');
      assert.equal(pending.body.length, LIMITS.pendingPerUser);
      assert.equal((await user.execute('echo allowed commands still run')).status, 200);
    });

    it(`closes a user's socket past ${SOCKETS} open with ${TOO_MANY_SOCKETS} and a reason, and lets a new one in once one closes`, async () => {
      const user = await newUser(stack.target, admin);
      const open = [await user.socket(), await user.socket()];
      try {
        const extra = await user.socket();
        assert.deepEqual(await extra.closed, { code: TOO_MANY_SOCKETS, reason: 'Too many open sockets: at most 2 per user; close another tab or connection' });
        const other = await (await newUser(stack.target, admin)).socket();
        await other.close();
        await open.shift()?.close();
        // The server counts the socket gone when its side of the close ends, a moment after ours.
        const again = await waitFor(async () => {
          const socket = await user.socket();
          const closed = await Promise.race([socket.closed, sleep(100).then(() => undefined)]);
          if (closed) throw new Error(`the socket closed: ${JSON.stringify(closed)}`);
          return socket;
        }, 'a socket the server keeps open', 5_000);
        again.send({ type: 'execute_command', id: 1, tool: 'terminal_command', params: { command: 'echo back' } });
        assert.equal((await again.reply(1)).type, 'command_result');
        open.push(again);
      } finally {
        await Promise.all(open.map((s) => s.close()));
      }
    });
  });
}
