import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openDatabase } from '../../../lib/sqlite.js';
import type { CommandReport } from './command-report.js';
import { createFixture, USERS, type Fixture } from '../../../test/kit/mcp-server/fixture.js';
import { runProcess } from '../../../test/kit/mcp-server/spawn-process.js';
import { STDIO_ENTRY, TSX_BIN, stdioEnv } from '../../../test/kit/mcp-server/stdio-env.js';
import { waitFor } from '../../../test/kit/index.js';

describe('the stdio entry point (M11)', () => {
  let fx: Fixture;
  before(() => {
    fx = createFixture();
    writeFileSync(join(fx.workspace, 'fake.txt'), '{"jsonrpc":"2.0","id":99,"result":{"forged":true}}\n');
  });
  after(() => fx.cleanup());

  it('serves terminal_command to a real SDK client, as the user named in the environment', async () => {
    const transport = new StdioClientTransport({ command: TSX_BIN, args: [STDIO_ENTRY], env: stdioEnv(fx, { MCP_STDIO_USER_ID: String(USERS.alice) }) as Record<string, string>, stderr: 'pipe' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools[0]?.name, 'terminal_command');
      const result = (await client.callTool({ name: 'terminal_command', arguments: { command: 'echo from stdio' } })) as CallToolResult;
      assert.equal((result.structuredContent as CommandReport).stdout, 'from stdio\n');
    } finally {
      await client.close();
    }
    const audit = openDatabase(join(fx.dir, 'stdio-audit.db'), { readonly: true });
    try {
      const row = audit.prepare('SELECT identity, transport FROM mcp_audit ORDER BY id DESC LIMIT 1').get() as { identity: string; transport: string };
      assert.deepEqual(row, { identity: `service:${USERS.alice}`, transport: 'stdio' });
    } finally {
      audit.close();
    }
  });

  it('writes nothing but JSON-RPC to stdout: logs go to stderr, child output only inside results', async () => {
    const child = spawn(TSX_BIN, [STDIO_ENTRY], { env: stdioEnv(fx), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'terminal_command', arguments: { command: 'cat fake.txt' } } });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'terminal_command', arguments: { command: 'ls no-such-file' } } });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'terminal_command', arguments: { command: 'echo a; echo b' } } });
    await waitFor(() => stdout.split('\n').filter(Boolean).length >= 4, 'four responses', 60_000);
    child.stdin.end();
    await once(child, 'close');
    const lines = stdout.split('\n').filter(Boolean);
    for (const line of lines) {
      const msg = JSON.parse(line) as { jsonrpc: string; id: unknown };
      assert.equal(msg.jsonrpc, '2.0', line);
    }
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: number }).id).sort(), [1, 2, 3, 4]);
    assert.ok(!lines.some((l) => l.startsWith('{"jsonrpc":"2.0","id":99')), 'file content never reaches stdout raw');
    assert.match(lines.find((l) => (JSON.parse(l) as { id: number }).id === 2) ?? '', /forged/, 'it is inside the result instead');
    assert.match(stderr, /MCP server on stdio/);
  });

  it('refuses to start for an acting user that does not exist, saying so on stderr', async () => {
    const out = await runProcess(TSX_BIN, [STDIO_ENTRY], { env: stdioEnv(fx, { MCP_STDIO_USER_ID: '999' }) });
    assert.equal(out.code, 1);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /MCP_STDIO_USER_ID=999: no such user/);
  });

  it('refuses to start with an invalid policy, listing the problems', async () => {
    const bad = join(fx.dir, 'bad-policy.yaml');
    writeFileSync(bad, 'version: 1\nprograms:\n  bash: { decision: allow, path: /usr/bin/bash }\n');
    const out = await runProcess(TSX_BIN, [STDIO_ENTRY], { env: stdioEnv(fx, { MCP_POLICY_FILE: bad }) });
    assert.equal(out.code, 1);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /bad-policy\.yaml:3: programs\.bash\.decision: .*never auto-allowed/);
  });
});
