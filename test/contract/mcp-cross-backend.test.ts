import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { legacyFeature, newBackendFeature } from './mcp-targets.js';
import { startMcpServer, type RunningMcpServer } from '../kit/mcp.js';
import { startSystem, type RunningSystem } from '../kit/system.js';
import { newUser, signIn, type McpActor, type McpTarget } from './mcp-target.js';

/** A direct line to one backend, as the frontend would have it after a flip. */
function direct(url: string, credential: 'cookie' | 'bearer', system: RunningSystem): McpTarget {
  return { baseUrl: url, admin: system.admin, credential, mcpDown: async () => undefined, mcpUp: async () => undefined, teardown: () => undefined };
}

// The shared database is the truth: a change made by one backend reaches the sockets the
// other backend holds through its change feed, not through any message between them.
describe('/mcp across both backends on one database', { timeout: 180_000 }, () => {
  let mcp: RunningMcpServer;
  let system: RunningSystem;
  let onLegacy: McpTarget;
  let onNew: McpTarget;
  let admin: { legacy: McpActor; new: McpActor };

  before(async () => {
    mcp = await startMcpServer();
    system = await startSystem({ legacy: { mcp: legacyFeature(mcp) }, newBackend: { mcp: newBackendFeature(mcp) } });
    mcp.attach(system.dbPath);
    onLegacy = direct(system.legacy.url, 'cookie', system);
    onNew = direct(system.newBackend.url, 'bearer', system);
    admin = {
      legacy: await signIn(onLegacy, system.admin.username, system.admin.password),
      new: await signIn(onNew, system.admin.username, system.admin.password),
    };
  });
  after(async () => {
    await system.close();
    await mcp.close();
  });

  /** One user, signed in on both backends. */
  async function userOnBoth(): Promise<{ legacy: McpActor; new: McpActor }> {
    const legacy = await newUser(onLegacy, admin.legacy);
    const password = `pw-${legacy.user.username}`;
    return { legacy, new: await signIn(onNew, legacy.user.username, password) };
  }

  const name = () => `cross-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  it('an approval done on legacy reaches a socket held by new within two seconds', async () => {
    const user = await userOnBoth();
    const socket = await user.new.socket();
    try {
      const created = await user.legacy.execute(`mkdir ${name()}`);
      assert.equal(created.status, 202, created.text);
      await socket.update(created.body.id, 'pending_approval');
      const approved = await admin.legacy.post(`/mcp/commands/${created.body.id}/approve`);
      assert.equal(approved.status, 200, approved.text);
      // The contract's bound: the other backend's feed reads the shared table every 150-500 ms.
      const update = await socket.update(created.body.id, 'executed', {}, 2000);
      assert.deepEqual(update.command, approved.body);
    } finally {
      await socket.close();
    }
  });

  it('an approval done on new reaches a socket held by legacy within two seconds', async () => {
    const user = await userOnBoth();
    const socket = await user.legacy.socket();
    try {
      const created = await user.new.execute(`mkdir ${name()}`);
      assert.equal(created.status, 202, created.text);
      await socket.update(created.body.id, 'pending_approval');
      const approved = await admin.new.post(`/mcp/commands/${created.body.id}/approve`);
      assert.equal(approved.status, 200, approved.text);
      const update = await socket.update(created.body.id, 'executed', {}, 2000);
      assert.deepEqual(update.command, approved.body);
    } finally {
      await socket.close();
    }
  });

  it('a rejection on one backend reaches the owner on the other', async () => {
    const user = await userOnBoth();
    const socket = await user.legacy.socket();
    try {
      const created = await user.legacy.execute(`touch ${name()}`);
      const rejected = await admin.new.post(`/mcp/commands/${created.body.id}/reject`);
      assert.equal(rejected.status, 200, rejected.text);
      assert.deepEqual((await socket.update(created.body.id, 'rejected', {}, 2000)).command, rejected.body);
    } finally {
      await socket.close();
    }
  });

  it('both backends approving the same command at the same moment: one runs it, once; the other gets 409', async () => {
    const user = await userOnBoth();
    for (let round = 0; round < 3; round++) {
      const dir = name();
      const created = await user.legacy.execute(`mkdir ${dir}`);
      assert.equal(created.status, 202, created.text);
      const answers = await Promise.all([
        admin.legacy.post(`/mcp/commands/${created.body.id}/approve`),
        admin.new.post(`/mcp/commands/${created.body.id}/approve`),
        admin.legacy.post(`/mcp/commands/${created.body.id}/approve`),
        admin.new.post(`/mcp/commands/${created.body.id}/approve`),
      ]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409], answers.map((a) => a.text).join('\n'));
      const runs = mcp.service().audit.recent(500).filter((r) => String(r.argv).includes(dir) && r.outcome !== 'approval_required');
      assert.equal(runs.length, 1, `the MCP server ran mkdir ${dir} ${runs.length} times: ${JSON.stringify(runs)}`);
    }
  });

  it('lists the same commands from either backend, and the same record by id', async () => {
    const user = await userOnBoth();
    await user.legacy.execute('echo from legacy');
    await user.new.execute('echo from new');
    const fromLegacy = (await user.legacy.get('/mcp/commands')).body;
    const fromNew = (await user.new.get('/mcp/commands')).body;
    assert.equal(fromLegacy.length, 2);
    assert.deepEqual(fromLegacy, fromNew);
    assert.deepEqual((await user.new.get(`/mcp/commands/${fromLegacy[0].id}`)).body, fromLegacy[0]);
  });
});
