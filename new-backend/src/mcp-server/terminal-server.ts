import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APPROVAL_META_KEY, TERMINAL_TOOL } from '../../../lib/mcp-client/protocol.js';
import { CommandInputSchema, CommandReportSchema, type CommandReport } from './command-report.js';
import type { CallContext, CommandService } from './command-service.js';
import type { Identity } from './identity/identity.js';

export const SERVER_INFO = { name: 'strangler-terminal', version: '0.1.0' } as const;

const DESCRIPTION = [
  'Run one program with plain arguments in the workspace and get its exit code and output.',
  'There is no shell: ; & | < > $ ` * ? and other shell syntax are refused, so run one program at a time.',
  'Allowed programs (e.g. echo, ls, pwd, date) run at once with the options the policy lists;',
  'anything else needs an approval from an admin of the application, and some programs are denied.',
  'Refusals, approvals needed, timeouts and limits come back as errors naming the rule that decided.',
].join(' ');

export interface TerminalSession {
  readonly identity: Identity;
  readonly transport: CallContext['transport'];
}

/**
 * One McpServer for one session (M9: never shared), serving `terminal_command` for the
 * identity that opened the session.
 *
 * @example
 * const server = createTerminalServer(commands, { identity, transport: 'stdio' });
 * await server.connect(new StdioServerTransport());
 */
export function createTerminalServer(commands: CommandService, session: TerminalSession): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
  server.registerTool(
    TERMINAL_TOOL,
    {
      title: 'Terminal command',
      description: DESCRIPTION,
      inputSchema: CommandInputSchema,
      outputSchema: CommandReportSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (input, extra) => {
      const grant = extra._meta?.[APPROVAL_META_KEY];
      const report = await commands.execute(input, {
        identity: session.identity,
        sessionId: extra.sessionId ?? null,
        transport: session.transport,
        grant: typeof grant === 'string' ? grant : undefined,
        signal: extra.signal,
      });
      return toToolResult(report);
    },
  );
  return server;
}

/** Success carries the JSON of the report as text (for clients without structured output); a failure carries its reason. */
export function toToolResult(report: CommandReport): CallToolResult {
  const structuredContent = report as unknown as Record<string, unknown>;
  if (report.outcome === 'ran') return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent };
  const head = report.reason ?? report.outcome;
  const text = report.ran ? `${head}\n${JSON.stringify(report)}` : `${head} [rule: ${report.rule ?? report.outcome}]`;
  return { content: [{ type: 'text', text }], structuredContent, isError: true };
}
