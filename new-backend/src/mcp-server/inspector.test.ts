import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBearerHop } from '../../../test/kit/bearer-hop.js';
import type { RunningServer } from '../../../test/kit/index.js';
import { MCP_TOKEN } from '../../../test/kit/mcp-server/fixture.js';
import { startHttpFixture, type HttpFixture } from '../../../test/kit/mcp-server/http-fixture.js';
import { runProcess } from '../../../test/kit/mcp-server/spawn-process.js';
import { INSPECTOR_BIN, STDIO_ENTRY, TSX_BIN, stdioEnv } from '../../../test/kit/mcp-server/stdio-env.js';

// Inspector 0.15 (the last release for Node 20) has no way to send a header from its
// CLI, and the server takes no token but a header: the HTTP tests go through a hop that
// adds `Authorization: Bearer <MCP_TOKEN>`; everything else is the Inspector speaking to
// the real server.

interface InspectorToolList { tools: { name: string }[] }
interface InspectorCall { structuredContent?: { stdout?: string; outcome?: string; rule?: string }; isError?: boolean }

function inspector(target: string[], method: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }) {
  return runProcess(process.execPath, [INSPECTOR_BIN, '--cli', ...target, ...method], { env });
}

describe('an MCP client we did not write: @modelcontextprotocol/inspector CLI', () => {
  let h: HttpFixture;
  let hop: RunningServer;
  before(async () => {
    h = await startHttpFixture();
    hop = await startBearerHop(new URL(h.url), MCP_TOKEN);
  });
  after(async () => {
    await hop.close();
    await h.close();
  });

  it('lists terminal_command over Streamable HTTP', async () => {
    const out = await inspector([`${hop.url}/mcp`], ['--method', 'tools/list']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual((JSON.parse(out.stdout) as InspectorToolList).tools.map((t) => t.name), ['terminal_command']);
  });

  it('calls terminal_command over Streamable HTTP', async () => {
    const out = await inspector([`${hop.url}/mcp`], ['--method', 'tools/call', '--tool-name', 'terminal_command', '--tool-arg', 'command=echo hi from the inspector']);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout) as InspectorCall;
    assert.equal(result.structuredContent?.stdout, 'hi from the inspector\n');
  });

  it('shows it a refusal as an error result naming the rule', async () => {
    const out = await inspector([`${hop.url}/mcp`], ['--method', 'tools/call', '--tool-name', 'terminal_command', '--tool-arg', 'command=echo a; id']);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout) as InspectorCall;
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent?.rule, 'shell-operators');
  });

  it('is refused without the bearer token', async () => {
    const out = await inspector([h.url], ['--method', 'tools/list']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /Missing bearer token/);
    assert.doesNotMatch(out.stdout, /terminal_command/);
  });

  it('lists and calls terminal_command over stdio', async () => {
    const env = stdioEnv(h.fx);
    const list = await inspector([TSX_BIN, STDIO_ENTRY], ['--method', 'tools/list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as InspectorToolList).tools.map((t) => t.name), ['terminal_command']);
    const call = await inspector([TSX_BIN, STDIO_ENTRY], ['--method', 'tools/call', '--tool-name', 'terminal_command', '--tool-arg', 'command=pwd'], env);
    assert.equal(call.code, 0, call.stderr);
    assert.equal((JSON.parse(call.stdout) as InspectorCall).structuredContent?.stdout, `${h.fx.workspace}\n`);
  });
});
