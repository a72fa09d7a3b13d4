import type { Migration } from 'kysely';
import * as baseline from './0001-baseline.js';
import * as tokenRevocation from './0002-token-revocation.js';
import * as refreshTokens from './0003-refresh-tokens.js';
import * as mcpApprovals from './0004-mcp-approvals.js';
import * as loginThrottle from './0005-login-throttle.js';

/**
 * Every migration, in order. Listed statically (not read from a folder at run time) so the
 * set is fixed at build time and works the same under tsx, a bundle or a test.
 * Rule while any route may still go to legacy: only add (tables, nullable columns, indexes).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_baseline': baseline,
  '0002_token_revocation': tokenRevocation,
  '0003_refresh_tokens': refreshTokens,
  '0004_mcp_approvals': mcpApprovals,
  '0005_login_throttle': loginThrottle,
});
