import { TERMINAL_TOOL } from '../mcp-client.js';
import { COMMAND_STATUSES, type CommandStatus } from './command.js';
import { MCP_MESSAGES, toolRequired, unknownParam, unknownTool } from './command-messages.js';

export const MAX_COMMAND_CHARS = 4096;
export const MAX_CWD_CHARS = 1024;
export const MAX_TIMEOUT_MS = 600_000;
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;
/** The keys `params` may hold; anything else is refused, so nothing unbounded is stored. */
export const PARAM_KEYS = ['command', 'cwd', 'timeout_ms'] as const;
/**
 * The largest execute request, as JSON (the HTTP body or the WebSocket message). What it
 * may carry (4096 + 1024 characters, at most 4 bytes each in UTF-8) fits with room to
 * spare; the body parser's 100 kB is every route's bound, this is the one for a command.
 */
export const MAX_EXECUTE_BYTES = 32 * 1024;

/** A request to run a command, checked: what is recorded and what goes to the MCP server. */
export interface ExecuteInput {
  readonly toolName: string;
  readonly command: string;
  readonly cwd: string | undefined;
  readonly timeoutMs: number | undefined;
  /** Exactly what the client sent as `params` (recorded as is). */
  readonly params: Record<string, unknown>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };
/** An execute request refused before anything is recorded: the status and the contract's message. */
export type ExecuteChecked = { ok: true; value: ExecuteInput } | { ok: false; status: 400 | 413; message: string };

/**
 * `{tool_name, params}` (HTTP) or `{tool, params}` (WebSocket) → an ExecuteInput, or the
 * contract's 400 message for the first thing wrong: the tool, then params.command,
 * then the optional cwd and timeout_ms, then any other key in params. The command text
 * itself is the MCP server's to judge (operators, quotes, policy): it is passed on untouched.
 */
export function checkExecute(toolName: unknown, params: unknown, toolField: 'tool_name' | 'tool' = 'tool_name'): Checked<ExecuteInput> {
  if (typeof toolName !== 'string' || toolName === '') return { ok: false, message: toolRequired(toolField) };
  if (toolName !== TERMINAL_TOOL) return { ok: false, message: unknownTool(toolName) };
  if (params === undefined || params === null) return { ok: false, message: MCP_MESSAGES.commandRequired };
  if (typeof params !== 'object' || Array.isArray(params)) return { ok: false, message: MCP_MESSAGES.paramsObject };
  const p = params as Record<string, unknown>;
  if (typeof p.command !== 'string' || p.command.trim() === '') return { ok: false, message: MCP_MESSAGES.commandRequired };
  if (p.command.length > MAX_COMMAND_CHARS) return { ok: false, message: MCP_MESSAGES.commandTooLong };
  if (p.cwd !== undefined && (typeof p.cwd !== 'string' || p.cwd.length > MAX_CWD_CHARS)) return { ok: false, message: MCP_MESSAGES.cwd };
  if (p.timeout_ms !== undefined && !(Number.isInteger(p.timeout_ms) && (p.timeout_ms as number) >= 1 && (p.timeout_ms as number) <= MAX_TIMEOUT_MS)) {
    return { ok: false, message: MCP_MESSAGES.timeout };
  }
  // params is stored as sent: a key nobody reads would be stored for nothing (and unbounded).
  const unknown = Object.keys(p).find((key) => !(PARAM_KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) return { ok: false, message: unknownParam(unknown) };
  return {
    ok: true,
    value: { toolName, command: p.command, cwd: p.cwd as string | undefined, timeoutMs: p.timeout_ms as number | undefined, params: p },
  };
}

/**
 * A whole execute request (the HTTP body, or the WebSocket message): first its size
 * (413), then checkExecute (400). Nothing is recorded for either.
 */
export function checkExecuteRequest(request: Record<string, unknown>, toolField: 'tool_name' | 'tool' = 'tool_name'): ExecuteChecked {
  if (Buffer.byteLength(JSON.stringify(request)) > MAX_EXECUTE_BYTES) return { ok: false, status: 413, message: MCP_MESSAGES.tooLarge };
  const checked = checkExecute(toolField === 'tool' ? request.tool : request.tool_name, request.params, toolField);
  return checked.ok ? checked : { ok: false, status: 400, message: checked.message };
}

export interface ListQuery {
  readonly status: CommandStatus | undefined;
  readonly limit: number;
}

/** `?status=&limit=` of GET /mcp/commands. A repeated parameter is refused like a bad one. */
export function checkListQuery(query: Record<string, unknown>): Checked<ListQuery> {
  const { status, limit } = query;
  if (status !== undefined && !(typeof status === 'string' && (COMMAND_STATUSES as readonly string[]).includes(status))) {
    return { ok: false, message: MCP_MESSAGES.status };
  }
  let parsedLimit = DEFAULT_LIST_LIMIT;
  if (limit !== undefined) {
    if (typeof limit !== 'string' || !/^[0-9]{1,4}$/.test(limit)) return { ok: false, message: MCP_MESSAGES.limit };
    parsedLimit = Number(limit);
    if (parsedLimit < 1 || parsedLimit > MAX_LIST_LIMIT) return { ok: false, message: MCP_MESSAGES.limit };
  }
  return { ok: true, value: { status: status as CommandStatus | undefined, limit: parsedLimit } };
}

/** `:id` → a positive integer, or undefined (which the routes answer as 404). */
export function parseCommandId(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}
