/** The /mcp messages the frontend contract pins (docs/frontend-contract.md), identical in both backends. */
export const MCP_MESSAGES = {
  notAuthenticated: 'Not authenticated',
  forbidden: 'Insufficient permissions',
  unavailable: 'Command service unavailable',
  notFound: 'Command not found',
  notPending: 'Command is not pending approval',
  paramsObject: 'params must be an object',
  commandRequired: 'params.command is required',
  commandTooLong: 'params.command must be at most 4096 characters',
  cwd: 'params.cwd must be a string of at most 1024 characters',
  timeout: 'params.timeout_ms must be an integer from 1 to 600000',
  limit: 'limit must be an integer from 1 to 200',
  /** The body parser's own 413 text: one message for a request too large, whatever its route. */
  tooLarge: 'Request body too large',
  status: 'Invalid status',
  /** WebSocket only. */
  invalidJson: 'Invalid JSON message: send one JSON object per message',
  notObject: 'Invalid message: send a JSON object with a "type"',
  binary: 'Binary messages are not supported: send JSON text',
  busy: 'Too many commands running on this connection: wait for a result first',
  sessionEnded: 'Not authenticated',
} as const;

/** `tool_name` over HTTP, `tool` in a WebSocket message. */
export function toolRequired(field: 'tool_name' | 'tool'): string {
  return `${field} is required`;
}

export function unknownTool(name: string): string {
  return `Unknown tool: ${name.length > 100 ? `${name.slice(0, 100)}…` : name}`;
}

export function unknownParam(key: string): string {
  return `Unknown parameter: params.${key.length > 100 ? `${key.slice(0, 100)}…` : key} (known: command, cwd, timeout_ms)`;
}

export function unknownMessageType(type: string): string {
  return `Unknown message type: ${type.length > 50 ? `${type.slice(0, 50)}…` : type} (expected execute_command)`;
}

/** The close reason of a socket over the per-user cap (a close reason holds at most 123 bytes). */
export function tooManySockets(max: number): string {
  return `Too many open sockets: at most ${max} per user; close another tab or connection`;
}

/** 403 for a command the MCP server refused, naming the rule that refused it. */
export function notAllowed(reason: string, rule: string | undefined): string {
  const text = reason.trim() || 'refused by the command policy';
  return rule && !text.includes(rule) ? `Command not allowed: ${text} (rule ${rule})` : `Command not allowed: ${text}`;
}
