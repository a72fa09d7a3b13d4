import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from './contract-target.js';
import type { McpContext } from './mcp-context.js';
import { assertCommand } from './mcp-target.js';

/** GET /mcp/tools and POST /mcp/execute: validation, outcomes, refusals (injection included). */
export function mcpExecuteContract(ctx: McpContext): void {
  describe('GET /mcp/tools', () => {
    it('refuses a visitor who is not logged in with 401', async () => {
      assertError(await ctx.anonymous().get('/mcp/tools'), 401, 'Not authenticated');
    });

    it("lists the MCP server's tools: terminal_command with its input schema", async () => {
      const res = await (await ctx.user()).get('/mcp/tools');
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      const tool = res.body.find((t: { name: string }) => t.name === 'terminal_command');
      assert.ok(tool, `terminal_command missing from ${res.text}`);
      assert.deepEqual(Object.keys(tool), ['name', 'description', 'inputSchema']);
      assert.equal(tool.inputSchema.type, 'object');
      assert.ok(tool.inputSchema.properties.command, 'the schema describes command');
    });
  });

  describe('POST /mcp/execute', () => {
    it('refuses a visitor who is not logged in with 401', async () => {
      assertError(await ctx.anonymous().post('/mcp/execute', { tool_name: 'terminal_command', params: { command: 'echo hi' } }), 401, 'Not authenticated');
    });

    for (const [label, body, message] of [
      ['no tool_name', { params: { command: 'echo hi' } }, 'tool_name is required'],
      ['another tool', { tool_name: 'rm_everything', params: { command: 'echo hi' } }, 'Unknown tool: rm_everything'],
      ['no params', { tool_name: 'terminal_command' }, 'params.command is required'],
      ['params not an object', { tool_name: 'terminal_command', params: 'echo hi' }, 'params must be an object'],
      ['an empty command', { tool_name: 'terminal_command', params: { command: '  ' } }, 'params.command is required'],
      ['a number as command', { tool_name: 'terminal_command', params: { command: 42 } }, 'params.command is required'],
      ['a command over 4096 characters', { tool_name: 'terminal_command', params: { command: `echo ${'a'.repeat(4100)}` } }, 'params.command must be at most 4096 characters'],
      ['a cwd that is not a string', { tool_name: 'terminal_command', params: { command: 'ls', cwd: 7 } }, 'params.cwd must be a string of at most 1024 characters'],
      ['a timeout that is not an integer', { tool_name: 'terminal_command', params: { command: 'ls', timeout_ms: 1.5 } }, 'params.timeout_ms must be an integer from 1 to 600000'],
      ['a zero timeout', { tool_name: 'terminal_command', params: { command: 'ls', timeout_ms: 0 } }, 'params.timeout_ms must be an integer from 1 to 600000'],
    ] as const) {
      it(`answers 400 for ${label}, and records nothing`, async () => {
        const user = await ctx.user();
        assertError(await user.post('/mcp/execute', body), 400, message);
        assert.deepEqual((await user.get('/mcp/commands')).body, []);
      });
    }

    it('runs an allowed command at once: 200 executed, with its result, recorded as sent', async () => {
      const user = await ctx.user();
      const res = await user.execute('echo hello world', { timeout_ms: 20000 });
      assert.equal(res.status, 200, res.text);
      assertCommand(res.body, {
        user_id: user.user.id, tool_name: 'terminal_command', command: 'echo hello world',
        params: { command: 'echo hello world', timeout_ms: 20000 }, status: 'executed', approved_by: null,
      });
      assert.deepEqual({ ...res.body.result, duration_ms: 0 }, { stdout: 'hello world\n', stderr: '', exit_code: 0, duration_ms: 0, truncated: false });
      assert.deepEqual((await user.get(`/mcp/commands/${res.body.id}`)).body, res.body);
    });

    it('answers 200 failed for a program that exits non-zero, with its exit code and stderr', async () => {
      const res = await (await ctx.user()).execute(`ls ${ctx.file('missing')}`);
      assert.equal(res.status, 200, res.text);
      assertCommand(res.body, { status: 'failed' });
      assert.notEqual(res.body.result.exit_code, 0);
      assert.match(res.body.result.stderr, /No such file or directory/);
    });

    it('answers 202 pending_approval for a command the policy sends to an admin; nothing runs yet', async () => {
      const user = await ctx.user();
      const name = ctx.file('pending');
      const res = await user.execute(`touch ${name}`);
      assert.equal(res.status, 202, res.text);
      assertCommand(res.body, { status: 'pending_approval', result: null, approved_by: null, command: `touch ${name}` });
      const ls = await user.execute(`ls ${name}`);
      assert.equal(ls.body.status, 'failed', 'the file does not exist before approval');
    });

    it('refuses a denied program with 403 naming the rule, and records it rejected', async () => {
      const user = await ctx.user();
      assertError(await user.execute('bash -c id'), 403, 'Command not allowed: bash is denied by the command policy (rule program:bash)');
      const [record] = (await user.get('/mcp/commands')).body;
      assertCommand(record, { command: 'bash -c id', status: 'rejected' });
      assert.match(record.result.stderr, /^Command not allowed: /);
    });

    for (const [label, command, message] of [
      ['a command separator', 'echo hi; id', /^Command not allowed: Shell operators are not supported.*\(found ";"\) \(rule shell-operators\)$/],
      ['command substitution', 'echo $(id)', /^Command not allowed: Shell operators are not supported.*\(found "\$"\)/],
      ['backticks', 'echo `id`', /^Command not allowed: Shell operators are not supported.*\(found "`"\)/],
      ['a pipe', 'ls | sh', /^Command not allowed: Shell operators are not supported.*\(found "\|"\)/],
      ['a redirect', 'echo x > out.txt', /^Command not allowed: Shell operators are not supported.*\(found ">"\)/],
      ['a newline', 'echo hi\nid', /^Command not allowed: Control characters .* \(rule control-characters\)$/],
      ['a NUL byte', 'echo hi\u0000id', /^Command not allowed: Control characters .* \(rule control-characters\)$/],
      ['a fullwidth semicolon', 'echo hi\uff1bid', /^Command not allowed: .*look-alike.* \(rule lookalike-characters\)$/],
      ['a path as program', '/bin/sh -c id', /^Command not allowed: "\/bin\/sh" is not a bare program name.* \(rule bare-name\)$/],
    ] as const) {
      it(`refuses ${label} with 403 and the server's reason, recorded rejected`, async () => {
        const user = await ctx.user();
        const res = await user.execute(command);
        assert.equal(res.status, 403, res.text);
        assert.match(res.body.error, message);
        const [record] = (await user.get('/mcp/commands')).body;
        assertCommand(record, { command, status: 'rejected' });
      });
    }

    it('answers 400 with the server\'s reason for an unterminated quote, recorded rejected', async () => {
      const user = await ctx.user();
      assertError(await user.execute('echo "unterminated'), 400, 'The command has an unterminated quote or a trailing backslash: close the quote');
      assertCommand((await user.get('/mcp/commands')).body[0], { status: 'rejected' });
    });

    it('refuses a cwd outside the workspace with 403', async () => {
      const res = await (await ctx.user()).execute('ls', { cwd: '../..' });
      assert.equal(res.status, 403, res.text);
      assert.match(res.body.error, /^Command not allowed: The working directory .*\(rule workspace:cwd\)$/);
    });
  });
}
