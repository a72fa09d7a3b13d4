import { after, before, describe } from 'node:test';
import { McpContext } from './mcp-context.js';
import { mcpCommandsContract } from './mcp-commands.contract.js';
import { mcpExecuteContract } from './mcp-execute.contract.js';
import { mcpSocketContract } from './mcp-socket.contract.js';
import type { McpSetup } from './mcp-target.js';

export type { McpSetup, McpTarget } from './mcp-target.js';

/**
 * The /mcp rows of the frontend contract (DESIGN §2, docs/frontend-contract.md "MCP") and
 * the WebSocket flow, against any target that serves /mcp backed by a real MCP server:
 * each backend directly, and the proxy with `mcp` on either. Written from the client's
 * side; users are made per test, so order does not matter.
 *
 * @example
 * describeMcpContract('legacy app', async () => {
 *   const stack = await startMcpStack('legacy');
 *   return { baseUrl: stack.url, admin: stack.admin, credential: 'cookie', mcpDown: stack.mcpDown, mcpUp: stack.mcpUp, teardown: stack.close };
 * });
 */
export function describeMcpContract(label: string, setup: McpSetup): void {
  describe(`frontend contract, /mcp: ${label}`, { timeout: 300_000 }, () => {
    const ctx = new McpContext();
    before(async () => ctx.set(await setup()));
    after(async () => {
      await ctx.target.teardown();
      ctx.set(undefined);
    });
    mcpExecuteContract(ctx);
    mcpCommandsContract(ctx);
    mcpSocketContract(ctx);
  });
}
