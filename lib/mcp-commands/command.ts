import type { CommandResult } from '../mcp-client.js';

/** The five statuses of DESIGN §2, in the order a command can pass through them. */
export const COMMAND_STATUSES = ['pending_approval', 'rejected', 'executing', 'executed', 'failed'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

// The contract's `result` is defined once, by the MCP client that produces it.
export type { CommandResult } from '../mcp-client.js';

/** A row of `mcp_commands` as both backends read it (params and result are JSON text). */
export interface CommandRow {
  readonly id: number;
  readonly user_id: number;
  readonly tool_name: string;
  readonly command: string;
  readonly params: string;
  readonly status: CommandStatus;
  readonly result: string | null;
  readonly approved_by: number | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The contract's command object, keys in this order. */
export interface Command {
  readonly id: number;
  readonly user_id: number;
  readonly tool_name: string;
  readonly command: string;
  readonly params: Record<string, unknown>;
  readonly status: CommandStatus;
  readonly result: CommandResult | null;
  readonly approved_by: number | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/**
 * Row → contract object. JSON columns written by another version (or by hand) that do not
 * parse become `{}` / `null` rather than a 500 for every list that contains them.
 */
export function toCommand(row: CommandRow): Command {
  return {
    id: row.id,
    user_id: row.user_id,
    tool_name: row.tool_name,
    command: row.command,
    params: parseObject(row.params) ?? {},
    status: row.status,
    result: toResult(row.result),
    approved_by: row.approved_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * How far along its life a command is. Every transition raises it (executing → pending →
 * executing with an approver → an end state; or straight to an end), so "is this news?"
 * is one comparison, whichever process wrote the row and whatever its clock said.
 */
export function lifecycleRank(row: Pick<CommandRow, 'status' | 'approved_by'>): number {
  switch (row.status) {
    case 'executing':
      return row.approved_by === null ? 0 : 2;
    case 'pending_approval':
      return 1;
    default:
      return 3;
  }
}

export function isFinal(status: CommandStatus): boolean {
  return status === 'executed' || status === 'failed' || status === 'rejected';
}

function toResult(text: string | null): CommandResult | null {
  const value = text === null ? undefined : parseObject(text);
  if (!value) return null;
  return {
    stdout: typeof value.stdout === 'string' ? value.stdout : '',
    stderr: typeof value.stderr === 'string' ? value.stderr : '',
    exit_code: typeof value.exit_code === 'number' ? value.exit_code : null,
    duration_ms: typeof value.duration_ms === 'number' ? value.duration_ms : 0,
    truncated: value.truncated === true,
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `result` JSON for a command that did not run: the reason where a person will look for it. */
export function resultText(stdout: string, stderr: string): string {
  const result: CommandResult = { stdout, stderr, exit_code: null, duration_ms: 0, truncated: false };
  return JSON.stringify(result);
}

/** The timeout_ms the client recorded with the command, if it gave a valid one. */
export function recordedTimeout(row: CommandRow): number | undefined {
  try {
    const params = JSON.parse(row.params) as { timeout_ms?: unknown };
    return Number.isInteger(params.timeout_ms) ? (params.timeout_ms as number) : undefined;
  } catch {
    return undefined;
  }
}
