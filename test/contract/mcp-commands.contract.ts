import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from './contract-target.js';
import type { McpContext } from './mcp-context.js';
import { assertCommand, type McpActor } from './mcp-target.js';

async function pending(ctx: McpContext, user: McpActor, prefix = 'approve'): Promise<{ id: number; name: string }> {
  const name = ctx.file(prefix);
  const res = await user.execute(`mkdir ${name}`);
  assert.equal(res.status, 202, res.text);
  return { id: res.body.id as number, name };
}

/** GET /mcp/commands, GET /mcp/commands/:id, approve, reject, and the MCP server going away. */
export function mcpCommandsContract(ctx: McpContext): void {
  describe('GET /mcp/commands', () => {
    it('refuses a visitor who is not logged in with 401', async () => {
      assertError(await ctx.anonymous().get('/mcp/commands'), 401, 'Not authenticated');
    });

    it("lists a user's own commands, newest first; an admin sees everyone's", async () => {
      const alice = await ctx.user();
      const bob = await ctx.user();
      const a1 = (await alice.execute('echo one')).body;
      const b1 = (await bob.execute('echo two')).body;
      const a2 = (await alice.execute('echo three')).body;
      assert.deepEqual((await alice.get('/mcp/commands')).body.map((c: { id: number }) => c.id), [a2.id, a1.id]);
      assert.deepEqual((await bob.get('/mcp/commands')).body.map((c: { id: number }) => c.id), [b1.id]);
      const all = (await (await ctx.admin()).get('/mcp/commands?limit=200')).body as Array<{ id: number }>;
      const ids = all.map((c) => c.id);
      for (const id of [a1.id, b1.id, a2.id]) assert.ok(ids.includes(id), `admin list lacks ${id}`);
      assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
      for (const c of all) assertCommand(c);
    });

    it('filters by status and limits the count', async () => {
      const user = await ctx.user();
      await user.execute('echo a');
      await user.execute('bash');
      await user.execute('echo b');
      const executed = (await user.get('/mcp/commands?status=executed')).body as Array<{ status: string; command: string }>;
      assert.deepEqual(executed.map((c) => c.command), ['echo b', 'echo a']);
      assert.deepEqual((await user.get('/mcp/commands?status=rejected')).body.map((c: { command: string }) => c.command), ['bash']);
      assert.deepEqual((await user.get('/mcp/commands?limit=1')).body.map((c: { command: string }) => c.command), ['echo b']);
      assert.deepEqual((await user.get('/mcp/commands?status=executed&limit=1')).body.map((c: { command: string }) => c.command), ['echo b']);
    });

    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'limit=1.5', 'limit=-1', 'limit=', 'limit=1&limit=2']) {
      it(`answers 400 for ?${query}`, async () => {
        assertError(await (await ctx.user()).get(`/mcp/commands?${query}`), 400, 'limit must be an integer from 1 to 200');
      });
    }

    for (const query of ['status=done', 'status=', 'status=EXECUTED', 'status=executed&status=failed']) {
      it(`answers 400 for ?${query}`, async () => {
        assertError(await (await ctx.user()).get(`/mcp/commands?${query}`), 400, 'Invalid status');
      });
    }
  });

  describe('GET /mcp/commands/:id', () => {
    it('shows a command to its owner and to an admin', async () => {
      const user = await ctx.user();
      const created = (await user.execute('echo mine')).body;
      assert.deepEqual((await user.get(`/mcp/commands/${created.id}`)).body, created);
      assert.deepEqual((await (await ctx.admin()).get(`/mcp/commands/${created.id}`)).body, created);
    });

    it("answers another user with the same 404 as a command that does not exist", async () => {
      const owner = await ctx.user();
      const other = await ctx.user();
      const created = (await owner.execute('echo secret')).body;
      assertError(await other.get(`/mcp/commands/${created.id}`), 404, 'Command not found');
      for (const id of ['999999999', '0', '-1', 'abc', '1.5', '99999999999999999999']) {
        assertError(await other.get(`/mcp/commands/${id}`), 404, 'Command not found');
      }
    });

    it('refuses a visitor who is not logged in with 401', async () => {
      assertError(await ctx.anonymous().get('/mcp/commands/1'), 401, 'Not authenticated');
    });
  });

  describe('POST /mcp/commands/:id/approve and /reject', () => {
    it('approve runs the recorded command once: 200 executed, approved_by the admin', async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      const { id, name } = await pending(ctx, user);
      const res = await admin.post(`/mcp/commands/${id}/approve`);
      assert.equal(res.status, 200, res.text);
      assertCommand(res.body, { id, user_id: user.user.id, status: 'executed', approved_by: admin.user.id, command: `mkdir ${name}` });
      assert.equal(res.body.result.exit_code, 0);
      assert.equal((await user.execute(`ls -a ${name}`)).body.status, 'executed', 'the directory now exists');
      assert.deepEqual((await user.get(`/mcp/commands/${id}`)).body, res.body);
    });

    it('answers a second approval with 409, and the command ran only once', async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      const { id } = await pending(ctx, user);
      assert.equal((await admin.post(`/mcp/commands/${id}/approve`)).status, 200);
      assertError(await admin.post(`/mcp/commands/${id}/approve`), 409, 'Command is not pending approval');
      assertError(await admin.post(`/mcp/commands/${id}/reject`), 409, 'Command is not pending approval');
      // mkdir of an existing directory would fail: still `executed` means it never ran again.
      assert.equal((await user.get(`/mcp/commands/${id}`)).body.status, 'executed');
    });

    it('lets exactly one of many simultaneous approvals run it', async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      const { id } = await pending(ctx, user);
      const answers = await Promise.all(Array.from({ length: 6 }, () => admin.post(`/mcp/commands/${id}/approve`)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409]);
      assert.equal(answers.find((a) => a.status === 200)?.body.status, 'executed');
    });

    it('refuses a non-admin with 403 and leaves the command pending (even their own)', async () => {
      const user = await ctx.user();
      const { id } = await pending(ctx, user);
      assertError(await user.post(`/mcp/commands/${id}/approve`), 403, 'Insufficient permissions');
      assertError(await user.post(`/mcp/commands/${id}/reject`), 403, 'Insufficient permissions');
      assert.equal((await user.get(`/mcp/commands/${id}`)).body.status, 'pending_approval');
    });

    it('refuses a visitor who is not logged in with 401', async () => {
      assertError(await ctx.anonymous().post('/mcp/commands/1/approve'), 401, 'Not authenticated');
      assertError(await ctx.anonymous().post('/mcp/commands/1/reject'), 401, 'Not authenticated');
    });

    it('answers 404 for a command that does not exist', async () => {
      const admin = await ctx.admin();
      for (const id of ['999999999', 'abc', '0']) {
        assertError(await admin.post(`/mcp/commands/${id}/approve`), 404, 'Command not found');
        assertError(await admin.post(`/mcp/commands/${id}/reject`), 404, 'Command not found');
      }
    });

    it('answers 409 for a command that never waited for approval', async () => {
      const user = await ctx.user();
      const ran = (await user.execute('echo done')).body;
      assertError(await (await ctx.admin()).post(`/mcp/commands/${ran.id}/approve`), 409, 'Command is not pending approval');
    });

    it('reject: 200 rejected, nothing runs, and it can no longer be approved', async () => {
      const user = await ctx.user();
      const admin = await ctx.admin();
      const { id, name } = await pending(ctx, user, 'reject');
      const res = await admin.post(`/mcp/commands/${id}/reject`);
      assert.equal(res.status, 200, res.text);
      assertCommand(res.body, { id, status: 'rejected', result: null });
      assertError(await admin.post(`/mcp/commands/${id}/approve`), 409, 'Command is not pending approval');
      assert.equal((await user.execute(`ls ${name}`)).body.status, 'failed', 'nothing was created');
    });
  });

  describe('the MCP server unavailable', () => {
    it('answers 503 and records the command failed, without hanging; works again once it is back', async () => {
      const user = await ctx.user();
      await user.execute('echo warm');
      await ctx.target.mcpDown();
      try {
        assertError(await user.execute('echo while-down'), 503, 'Command service unavailable');
        assertError(await user.get('/mcp/tools'), 503, 'Command service unavailable');
        const [record] = (await user.get('/mcp/commands')).body;
        assertCommand(record, { command: 'echo while-down', status: 'failed' });
        assert.equal(record.result.stderr, 'Command service unavailable');
      } finally {
        await ctx.target.mcpUp();
      }
      const again = await user.execute('echo back');
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.status, 'executed');
    });
  });
}
