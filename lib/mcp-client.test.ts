import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, waitFor } from '../test/kit/index.js';
import { JWT_SECRETS, MCP_TOKEN, USERS } from '../test/kit/mcp-server/fixture.js';
import { startHttpFixture, type HttpFixture } from '../test/kit/mcp-server/http-fixture.js';
import { argvSha256, createCommandClient, TERMINAL_TOOL, type CommandClient } from './mcp-client.js';

const alice = { id: USERS.alice, role: 'user' as const };

describe('createCommandClient against the real MCP server', () => {
  let h: HttpFixture;
  let client: CommandClient;
  const sessions: [number | null, string][] = [];
  before(async () => {
    h = await startHttpFixture();
    client = createCommandClient({ url: h.url, serviceToken: MCP_TOKEN, jwtSecrets: JWT_SECRETS, onSession: (u, s) => void sessions.push([u, s]) });
  });
  after(async () => {
    await client.close();
    await h.close();
  });

  it('lists terminal_command with its input schema', async () => {
    const out = await client.listTools();
    assert.ok(out.ok);
    assert.equal(out.tools[0]?.name, TERMINAL_TOOL);
    assert.ok((out.tools[0]?.inputSchema.properties as Record<string, unknown>).command);
  });

  it('runs a command for a user and returns exactly the contract result', async () => {
    const out = await client.run({ user: alice, command: 'echo hi' });
    assert.ok(out.ok);
    assert.equal(out.status, 'executed');
    assert.deepEqual(Object.keys(out.result).sort(), ['duration_ms', 'exit_code', 'stderr', 'stdout', 'truncated']);
    assert.equal(out.result.stdout, 'hi\n');
    assert.equal(out.result.exit_code, 0);
    assert.equal(h.fx.audit.recent(1)[0]?.identity, `service:${USERS.alice}`);
  });

  it('reports a non-zero exit as ran with status failed', async () => {
    const out = await client.run({ user: alice, command: 'ls no-such-file' });
    assert.ok(out.ok);
    assert.equal(out.status, 'failed');
    assert.notEqual(out.result.exit_code, 0);
  });

  it('maps refusals to kinds the backends turn into statuses', async () => {
    const denied = await client.run({ user: alice, command: 'echo a; id' });
    assert.ok(!denied.ok);
    assert.equal(denied.kind, 'denied');
    assert.equal(denied.rule, 'shell-operators');
    assert.match(denied.message, /^Shell operators are not supported/);
    const invalid = await client.run({ user: alice, command: 'echo "open' });
    assert.ok(!invalid.ok && invalid.kind === 'invalid');
    const schema = await client.run({ user: alice, command: 'echo x', timeoutMs: -5 });
    assert.ok(!schema.ok && schema.kind === 'invalid');
    const empty = await client.run({ user: alice, command: '' });
    assert.ok(!empty.ok && empty.kind === 'invalid');
  });

  it('carries an approval from approval_required to one run of exactly that command', async () => {
    const pending = await client.run({ user: alice, command: 'id -u' });
    assert.ok(!pending.ok);
    assert.equal(pending.kind, 'approval_required');
    assert.equal(pending.argvSha256, argvSha256(['id', '-u']));
    assert.equal(pending.cwd, '.');
    const grant = await client.mintApprovalGrant({ userId: alice.id, argvSha256: pending.argvSha256 as string, cwd: pending.cwd as string, approverId: USERS.admin });
    const ran = await client.run({ user: alice, command: 'id -u', approvalGrant: grant });
    assert.ok(ran.ok, JSON.stringify(ran));
    assert.equal(ran.status, 'executed');
    assert.equal(ran.approvedBy, USERS.admin);
    const again = await client.run({ user: alice, command: 'id -u', approvalGrant: grant });
    assert.ok(!again.ok && again.kind === 'denied' && again.rule === 'approval:reused');
  });

  it('opens one MCP session per acting user and reuses it', async () => {
    const before = sessions.filter(([u]) => u === USERS.bob).length;
    await client.run({ user: { id: USERS.bob }, command: 'pwd' });
    await client.run({ user: { id: USERS.bob }, command: 'pwd' });
    const bob = sessions.filter(([u]) => u === USERS.bob);
    assert.equal(bob.length - before, 1);
    assert.ok(sessions.some(([u]) => u === USERS.alice));
    assert.ok(sessions.some(([u]) => u === null), 'listTools used the service identity');
    const out = await client.run({ user: { id: USERS.bob }, command: 'pwd' });
    assert.equal(out.sessionId, bob.at(-1)?.[1]);
  });

  it('reopens a session the server has forgotten, and reports the new one', async () => {
    await client.run({ user: alice, command: 'pwd' });
    const count = sessions.length;
    await h.mcp.close(); // the server drops every session (as after a restart)
    const out = await client.run({ user: alice, command: 'echo again' });
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(out.result.stdout, 'again\n');
    assert.equal(sessions.length, count + 1);
    assert.equal(sessions.at(-1)?.[0], USERS.alice);
  });

  it('says denied when the acting user does not exist', async () => {
    const out = await client.run({ user: { id: 999 }, command: 'pwd' });
    assert.ok(!out.ok && out.kind === 'denied' && /Acting user 999 does not exist/.test(out.message));
  });

  it('ends its sessions on close', async () => {
    const own = createCommandClient({ url: h.url, serviceToken: MCP_TOKEN });
    await own.run({ user: alice, command: 'pwd' });
    const open = h.mcp.sessionCount();
    await own.close();
    await waitFor(() => h.mcp.sessionCount() === open - 1, 'the session to end');
  });
});

describe('createCommandClient when the MCP server is unavailable', () => {
  it('reports nothing listening as unavailable', async () => {
    const dead = await startServer(createServer());
    const url = `${dead.url}/mcp`;
    await dead.close();
    const client = createCommandClient({ url, serviceToken: MCP_TOKEN });
    const out = await client.run({ user: alice, command: 'echo hi' });
    assert.ok(!out.ok && out.kind === 'unavailable', JSON.stringify(out));
    const tools = await client.listTools();
    assert.ok(!tools.ok && tools.kind === 'unavailable');
    await client.close();
  });

  it('gives up on a server that never answers after the connect timeout', async () => {
    const silent = await startServer(createServer(() => undefined));
    const client = createCommandClient({ url: `${silent.url}/mcp`, serviceToken: MCP_TOKEN, connectTimeoutMs: 300 });
    try {
      const out = await client.run({ user: alice, command: 'echo hi' });
      assert.ok(!out.ok && out.kind === 'unavailable', JSON.stringify(out));
      assert.match(out.message, /did not answer in time/);
    } finally {
      await client.close();
      await silent.close();
    }
  });

  it('names MCP_TOKEN when the service token is refused', async () => {
    const h = await startHttpFixture();
    const client = createCommandClient({ url: h.url, serviceToken: 'wrong-token' });
    try {
      const out = await client.run({ user: alice, command: 'echo hi' });
      assert.ok(!out.ok && out.kind === 'unavailable' && /check MCP_TOKEN/.test(out.message), JSON.stringify(out));
    } finally {
      await client.close();
      await h.close();
    }
  });

  it('fails a call at once when the server dies in the middle of it', async () => {
    const h = await startHttpFixture();
    const client = createCommandClient({ url: h.url, serviceToken: MCP_TOKEN, jwtSecrets: JWT_SECRETS });
    try {
      const pending = await client.run({ user: alice, command: 'sleep 100' });
      assert.ok(!pending.ok && pending.kind === 'approval_required');
      const grant = await client.mintApprovalGrant({ userId: alice.id, argvSha256: pending.argvSha256 as string, cwd: '.', approverId: USERS.admin });
      const running = client.run({ user: alice, command: 'sleep 100', approvalGrant: grant, timeoutMs: 60_000 });
      await waitFor(() => h.fx.runner.liveGroups() === 1, 'sleep to start');
      h.server.server.closeAllConnections();
      const out = await running;
      assert.ok(!out.ok && out.kind === 'unavailable', JSON.stringify(out));
    } finally {
      await client.close();
      await h.close();
    }
  });
});
