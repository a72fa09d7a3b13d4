import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APPROVAL_META_KEY, TERMINAL_TOOL } from '../../../lib/mcp-client.js';
import type { CommandReport } from '../../../new-backend/src/mcp-server/command-report.js';
import type { CommandService } from '../../../new-backend/src/mcp-server/command-service.js';
import type { Identity } from '../../../new-backend/src/mcp-server/identity/identity.js';
import { createTerminalServer } from '../../../new-backend/src/mcp-server/terminal-server.js';

export interface ToolCall {
  readonly isError: boolean;
  readonly report: CommandReport;
  readonly text: string;
}

/** A real SDK client wired to a fresh terminal server in memory. */
export async function connectInMemory(commands: CommandService, identity: Identity) {
  const server = createTerminalServer(commands, { identity, transport: 'memory' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1.0.0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    client,
    async run(args: { command: string; cwd?: string; timeout_ms?: number }, grant?: string): Promise<ToolCall> {
      const result = (await client.callTool({ name: TERMINAL_TOOL, arguments: args, ...(grant ? { _meta: { [APPROVAL_META_KEY]: grant } } : {}) })) as CallToolResult;
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      return { isError: result.isError === true, report: result.structuredContent as CommandReport, text };
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
