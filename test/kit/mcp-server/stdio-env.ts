import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JWT_SECRETS, MCP_TOKEN, REPO_POLICY, type Fixture } from './fixture.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const STDIO_ENTRY = join(REPO_ROOT, 'new-backend/src/mcp-server/stdio.ts');
export const TSX_BIN = join(REPO_ROOT, 'node_modules/.bin/tsx');
export const INSPECTOR_BIN = join(REPO_ROOT, 'node_modules/.bin/mcp-inspector');

/** Environment for the stdio entry point on a fixture's files; every secret set, so nothing is generated. */
export function stdioEnv(fx: Fixture, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    JWT_SECRET: JWT_SECRETS[0],
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    MCP_TOKEN,
    PROXY_ADMIN_TOKEN: 'test-proxy-admin-token-that-is-long-enough-0123',
    MCP_POLICY_FILE: REPO_POLICY,
    MCP_WORKSPACE: fx.workspace,
    MCP_AUDIT_PATH: join(fx.dir, 'stdio-audit.db'),
    DATABASE_PATH: fx.databasePath,
    ...extra,
  };
}
