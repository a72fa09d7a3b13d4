import { ConfigError, secretList } from '../env.js';
import { DEFAULT_COMMAND_LIMITS, type CommandLimits } from './command-limits.js';

export interface McpClientSettings {
  /** The MCP server's Streamable HTTP endpoint. */
  readonly url: string;
  /** MCP_TOKEN: the backends' service credential. */
  readonly serviceToken: string;
  /** JWT_SECRET as a list: approval grants are signed with the first. */
  readonly jwtSecrets: readonly string[];
  /** MCP_APPROVAL_TTL: how long a command waits for an admin before it counts as rejected. */
  readonly approvalTtlMs: number;
  /** How long opening an MCP session may take before the server counts as down. */
  readonly connectTimeoutMs: number;
  /** MCP_COMMAND_RATE (`<calls>/<duration>`, default `10/20s`) and the pending cap per user. */
  readonly limits: CommandLimits;
}

const DEFAULT_URL = 'http://127.0.0.1:5000/mcp';
const DEFAULT_TTL_MS = 60 * 60 * 1000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The /mcp feature's settings from the environment (MCP_URL, MCP_APPROVAL_TTL,
 * MCP_CONNECT_TIMEOUT_MS, MCP_COMMAND_RATE) and the resolved secrets. Every problem is listed at once.
 */
export function resolveMcpClientSettings(env: NodeJS.ProcessEnv, secrets: { MCP_TOKEN: string; JWT_SECRET: string }): McpClientSettings {
  const problems: string[] = [];
  const url = mcpUrl(env.MCP_URL || DEFAULT_URL, problems);
  const ttl = parseDuration(env.MCP_APPROVAL_TTL);
  if (ttl === undefined || ttl < 1000 || ttl > 7 * 24 * 3_600_000) {
    problems.push(`MCP_APPROVAL_TTL=${env.MCP_APPROVAL_TTL} is not a duration from 1s to 168h: write e.g. 3600s, 60m or 1h (a bare number is seconds)`);
  }
  const connect = Number(env.MCP_CONNECT_TIMEOUT_MS || 3000);
  if (!Number.isInteger(connect) || connect < 100 || connect > 60_000) {
    problems.push(`MCP_CONNECT_TIMEOUT_MS=${env.MCP_CONNECT_TIMEOUT_MS} must be a number of milliseconds from 100 to 60000`);
  }
  const limits = commandRate(env.MCP_COMMAND_RATE, problems);
  const jwtSecrets = secretList(secrets.JWT_SECRET);
  if (!secrets.MCP_TOKEN) problems.push('MCP_TOKEN is empty: set the service token the MCP server accepts');
  if (jwtSecrets.length === 0) problems.push('JWT_SECRET is empty: approval grants are signed with it');
  if (problems.length) throw new ConfigError(problems);
  return { url, serviceToken: secrets.MCP_TOKEN, jwtSecrets, approvalTtlMs: ttl as number, connectTimeoutMs: connect, limits };
}

/** `3600`, `3600s`, `60m`, `1h`, `500ms` → milliseconds; unset → 1 h. */
export function parseDuration(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return DEFAULT_TTL_MS;
  const match = /^\s*([0-9]{1,9})\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? 's'] as number);
}

/**
 * `MCP_COMMAND_RATE=30/1m`: how many commands one user may start in a window, counted across
 * both backends (they share mcp_commands). Unset keeps 10 in 20 s.
 */
function commandRate(raw: string | undefined, problems: string[]): CommandLimits {
  if (raw === undefined || raw.trim() === '') return DEFAULT_COMMAND_LIMITS;
  const match = /^\s*([0-9]{1,6})\s*\/\s*(\S+)\s*$/.exec(raw);
  const calls = match ? Number(match[1]) : NaN;
  const windowMs = match ? parseDuration(match[2]) : undefined;
  if (!match || calls < 1 || windowMs === undefined || windowMs < 1000 || windowMs > 3_600_000) {
    problems.push(`MCP_COMMAND_RATE=${raw} is not <calls>/<window>: write e.g. 10/20s or 60/1m (at least 1 call, a window from 1s to 1h)`);
    return DEFAULT_COMMAND_LIMITS;
  }
  return Object.freeze({ ...DEFAULT_COMMAND_LIMITS, calls, windowMs });
}

function mcpUrl(raw: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`MCP_URL=${raw} is not a URL: write e.g. ${DEFAULT_URL}`);
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`MCP_URL=${raw} must be http or https, e.g. ${DEFAULT_URL}`);
  if (url.username || url.password || url.search) problems.push(`MCP_URL=${raw} must not carry credentials or a query: the token goes in MCP_TOKEN`);
  // The server's endpoint is /mcp; a bare origin means it.
  if (url.pathname === '/') url.pathname = '/mcp';
  return url.toString();
}
