import { z } from 'zod';
import { COMMAND_STATUSES } from '../../../lib/mcp-commands/command.js';
import { MAX_COMMAND_CHARS, MAX_CWD_CHARS, MAX_TIMEOUT_MS } from '../../../lib/mcp-commands/command-input.js';
import { TERMINAL_TOOL } from '../../../lib/mcp-client.js';
import { named } from '../http/named-schema.js';

export const CommandResult = named(
  z.object({
    stdout: z.string(),
    stderr: z.string(),
    exit_code: z.number().int().nullable().describe('null when the program was killed by a signal (timeout) or never ran.'),
    duration_ms: z.number().int().min(0),
    truncated: z.boolean().describe('Output was cut at the policy cap.'),
  }),
  'CommandResult',
  'What a program left behind. For a command that never ran, stderr says why.',
);

export const Command = named(
  z.object({
    id: z.number().int().positive(),
    user_id: z.number().int().positive(),
    tool_name: z.string(),
    command: z.string(),
    params: z.record(z.string(), z.unknown()).describe('Exactly what the client sent.'),
    status: z.enum(COMMAND_STATUSES),
    result: CommandResult.nullable(),
    approved_by: z.number().int().positive().nullable(),
    created_at: z.string().describe('ISO-8601 UTC with milliseconds.'),
    updated_at: z.string().describe('ISO-8601 UTC with milliseconds.'),
  }),
  'Command',
  'A command, keys in this order.',
);

export const CommandList = named(z.array(Command), 'CommandList', 'Newest first.');

export const Tool = named(
  z.object({ name: z.string(), description: z.string(), inputSchema: z.record(z.string(), z.unknown()) }),
  'Tool',
  "As the MCP server's tools/list describes it.",
);
export const ToolList = named(z.array(Tool), 'ToolList');

export const ExecuteRequest = named(
  z.object({
    tool_name: z.literal(TERMINAL_TOOL),
    params: z.object({
      command: z.string().min(1).max(MAX_COMMAND_CHARS).describe('One program and its arguments, e.g. "ls -la". No shell: operators are refused.'),
      cwd: z.string().max(MAX_CWD_CHARS).optional().describe('Relative to the workspace; default its root.'),
      timeout_ms: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional().describe('Capped by the command policy.'),
    }).strict().describe('No other key: an unknown one is refused (400).'),
  }),
  'ExecuteRequest',
);

export const CommandIdParam = z.string().regex(/^[1-9][0-9]{0,15}$/).describe('A positive integer; anything else is a command that does not exist (404).');
