/** How start-up knows a process is ready to take requests. */
export type Readiness = { kind: 'http'; path: string } | { kind: 'tcp' };

/** One process `npm start` runs: a line here is all a new component needs. */
export interface ProcessSpec {
  readonly name: string;
  /** Entry file, relative to the repository root; the process is skipped while it does not exist. */
  readonly entry: string;
  readonly portEnv: string;
  readonly defaultPort: number;
  /** The host variable the process reads before HOST (it binds 127.0.0.1 by default). */
  readonly hostEnv: string;
  readonly readiness: Readiness;
  /** When this variable is set, the process runs elsewhere and is not started here. */
  readonly externalUrlEnv?: string;
  /** The URL other processes reach it at, given its port (exported unless already set). */
  readonly urlEnv?: { readonly name: string; readonly path?: string };
  /** Started after every process of a lower stage is ready (the proxy needs its backends). */
  readonly stage: number;
  /** The page a person opens, in order of preference. */
  readonly opensPage?: number;
  readonly color: 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue';
}

export const PROCESSES: readonly ProcessSpec[] = [
  // The legacy app goes first: it creates the tables the new backend's baseline adopts.
  { name: 'legacy', entry: 'legacy-adapter/src/main.ts', portEnv: 'LEGACY_PORT', defaultPort: 5601, hostEnv: 'LEGACY_HOST', readiness: { kind: 'http', path: '/health' }, externalUrlEnv: 'LEGACY_URL', urlEnv: { name: 'LEGACY_URL' }, stage: 0, opensPage: 2, color: 'cyan' },
  { name: 'new-backend', entry: 'new-backend/src/main.ts', portEnv: 'NEW_BACKEND_PORT', defaultPort: 5602, hostEnv: 'NEW_BACKEND_HOST', readiness: { kind: 'http', path: '/health' }, externalUrlEnv: 'NEW_BACKEND_URL', urlEnv: { name: 'NEW_BACKEND_URL' }, stage: 1, color: 'magenta' },
  { name: 'mcp-server', entry: 'new-backend/src/mcp-server/main.ts', portEnv: 'MCP_PORT', defaultPort: 5000, hostEnv: 'MCP_HOST', readiness: { kind: 'tcp' }, externalUrlEnv: 'MCP_URL', urlEnv: { name: 'MCP_URL', path: '/mcp' }, stage: 1, color: 'yellow' },
  { name: 'proxy', entry: 'proxy/src/main.ts', portEnv: 'PROXY_PORT', defaultPort: 5634, hostEnv: 'PROXY_HOST', readiness: { kind: 'http', path: '/__proxy/health' }, stage: 2, opensPage: 1, color: 'green' },
];
