import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { McpContext } from './mcp-context.js';
import { assertCommand, TestSocket } from './mcp-target.js';

/** GET /mcp/ws: execute_command, command_result, command_update, errors that keep the socket open. */
export function mcpSocketContract(ctx: McpContext): void {
  describe('GET /mcp/ws', () => {
    it('closes a socket without a credential with 1008', async () => {
      const socket = await TestSocket.open(`${ctx.target.baseUrl.replace(/^http/, 'ws')}/mcp/ws`, {});
      const { code } = await socket.closed;
      assert.equal(code, 1008);
    });

    it('runs execute_command: command_result with the client id, and command_update as it changes', async () => {
      const user = await ctx.user();
      const socket = await user.socket();
      try {
        socket.send({ type: 'execute_command', id: 'c-1', tool: 'terminal_command', params: { command: 'echo over the socket' } });
        const reply = await socket.reply('c-1');
        assert.deepEqual(Object.keys(reply), ['type', 'id', 'command']);
        assert.equal(reply.type, 'command_result');
        assertCommand(reply.command, { status: 'executed', user_id: user.user.id, command: 'echo over the socket' });
        assert.equal(reply.command?.result.stdout, 'over the socket\n');
        const update = await socket.update(reply.command?.id as number, 'executed');
        assert.deepEqual(Object.keys(update), ['type', 'command']);
        assert.deepEqual(update.command, reply.command);
        // Recorded before it ran: the `executing` state was announced too.
        await socket.update(reply.command?.id as number, 'executing');
      } finally {
        await socket.close();
      }
    });

    it('answers bad input with an error message and keeps the socket open', async () => {
      const user = await ctx.user();
      const socket = await user.socket();
      try {
        socket.send('{not json');
        assert.deepEqual(await socket.next((m) => m.type === 'error', 'an error'), { type: 'error', id: null, error: 'Invalid JSON message: send one JSON object per message' });
        socket.send([1, 2]);
        socket.send({ type: 'subscribe', id: 7 });
        assert.deepEqual(await socket.reply(7), { type: 'error', id: 7, error: 'Unknown message type: subscribe (expected execute_command)' });
        socket.send({ type: 'execute_command', id: 8, tool: 'other', params: { command: 'ls' } });
        assert.deepEqual(await socket.reply(8), { type: 'error', id: 8, error: 'Unknown tool: other' });
        socket.send({ type: 'execute_command', id: 9, tool: 'terminal_command', params: {} });
        assert.deepEqual(await socket.reply(9), { type: 'error', id: 9, error: 'params.command is required' });
        socket.send({ type: 'execute_command', id: 10, tool: 'terminal_command', params: { command: 'echo hi; id' } });
        assert.match((await socket.reply(10)).error ?? '', /^Command not allowed: Shell operators are not supported/);
        socket.send({ type: 'execute_command', id: 11, tool: 'terminal_command', params: { command: 'echo still open' } });
        assert.equal((await socket.reply(11)).command?.status, 'executed');
        assert.equal(socket.ws.readyState, WebSocket.OPEN);
        assert.equal(socket.messages.filter((m) => m.type === 'error' && m.id === null).length, 2, 'the array got its own error');
      } finally {
        await socket.close();
      }
    });

    it('closes a socket that sends an oversized message (1009)', async () => {
      const socket = await (await ctx.user()).socket();
      socket.send({ type: 'execute_command', id: 1, tool: 'terminal_command', params: { command: 'x'.repeat(128 * 1024) } });
      assert.equal((await socket.closed).code, 1009);
    });

    it("pushes an approval to every socket of the owner, and to no one else's", async () => {
      const owner = await ctx.user();
      const other = await ctx.user();
      const admin = await ctx.admin();
      const [first, second, foreign] = [await owner.socket(), await owner.socket(), await other.socket()];
      try {
        first.send({ type: 'execute_command', id: 'p', tool: 'terminal_command', params: { command: `mkdir ${ctx.file('ws')}` } });
        const reply = await first.reply('p');
        assert.equal(reply.command?.status, 'pending_approval');
        const id = reply.command?.id as number;
        await second.update(id, 'pending_approval');
        const approved = await admin.post(`/mcp/commands/${id}/approve`);
        assert.equal(approved.status, 200, approved.text);
        for (const socket of [first, second]) {
          assertCommand((await socket.update(id, 'executing', { approved_by: admin.user.id })).command);
          assert.deepEqual((await socket.update(id, 'executed')).command, approved.body);
        }
        assert.deepEqual(foreign.messages.filter((m) => m.command?.id === id), []);
      } finally {
        await Promise.all([first, second, foreign].map((s) => s.close()));
      }
    });

    it('pushes a rejection to the owner', async () => {
      const owner = await ctx.user();
      const socket = await owner.socket();
      try {
        const created = await owner.execute(`touch ${ctx.file('rejected')}`);
        assert.equal(created.status, 202);
        const rejected = await (await ctx.admin()).post(`/mcp/commands/${created.body.id}/reject`);
        assert.deepEqual((await socket.update(created.body.id, 'rejected')).command, rejected.body);
      } finally {
        await socket.close();
      }
    });
  });
}
