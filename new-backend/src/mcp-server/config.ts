import { envPort, isProduction } from '../../../lib/env.js';

export interface McpConfig {
  readonly host: string;
  readonly port: number;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  /** Bound to loopback: a page served from a loopback host may call (M3). */
  readonly allowLoopbackOrigins: boolean;
  readonly policyFile: string;
  readonly workspace: string;
  readonly auditPath: string;
  readonly databasePath: string;
  readonly sessionIdleMs: number;
}

export type ConfigResult = { ok: true; config: McpConfig } | { ok: false; problems: string[] };

const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];
/** The MCP Inspector's own page, for its direct mode in development. */
const DEV_ORIGINS = ['http://localhost:6274', 'http://127.0.0.1:6274'];

/**
 * The MCP server's settings from the environment. Binding anything but loopback is
 * refused unless MCP_ALLOWED_HOSTS names the hostnames clients use and a service token
 * is set (M10): a LAN-reachable command runner must at least check Host and auth.
 */
export function resolveMcpConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const problems: string[] = [];
  const host = env.MCP_HOST || '127.0.0.1';
  let port = 5000;
  try {
    port = envPort(env, 'MCP_PORT', 5000);
  } catch (err) {
    problems.push((err as Error).message.replace(/^configuration refused:\n\s+- /, ''));
  }
  const extraHosts = list(env.MCP_ALLOWED_HOSTS);
  if (!isLoopback(host)) {
    if (extraHosts.length === 0) problems.push(`MCP_HOST=${host} is not a loopback address: set MCP_ALLOWED_HOSTS to the hostnames clients use (e.g. mcp.internal), or bind 127.0.0.1`);
    if (!env.MCP_TOKEN) problems.push(`MCP_HOST=${host} is not a loopback address: set MCP_TOKEN so every request is authenticated`);
  }
  const bad = extraHosts.find((h) => /[/:]/.test(h.replace(/^\[.*\]$/, '')));
  if (bad) problems.push(`MCP_ALLOWED_HOSTS: "${bad}" is not a hostname (write names without scheme or port, e.g. mcp.internal)`);
  const origins = list(env.MCP_ALLOWED_ORIGINS);
  const badOrigin = origins.find((o) => !/^https?:\/\/[^/]+$/.test(o));
  if (badOrigin) problems.push(`MCP_ALLOWED_ORIGINS: "${badOrigin}" is not an origin (e.g. https://app.example.com, no path)`);
  const idle = Number(env.MCP_SESSION_IDLE_MS || 30 * 60_000);
  if (!Number.isInteger(idle) || idle < 1000) problems.push(`MCP_SESSION_IDLE_MS=${env.MCP_SESSION_IDLE_MS} must be a number of milliseconds, at least 1000`);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: Object.freeze({
      host,
      port,
      allowedHosts: [...new Set([...(isLoopback(host) ? LOOPBACK_HOSTNAMES : []), ...extraHosts])],
      allowedOrigins: [...new Set([...(isProduction(env) ? [] : DEV_ORIGINS), ...origins])],
      allowLoopbackOrigins: isLoopback(host),
      policyFile: env.MCP_POLICY_FILE || 'mcp-policy.yaml',
      workspace: env.MCP_WORKSPACE || 'data/workspace',
      auditPath: env.MCP_AUDIT_PATH || 'data/mcp-audit.db',
      databasePath: env.DATABASE_PATH || 'data/app.db',
      sessionIdleMs: idle,
    }),
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
