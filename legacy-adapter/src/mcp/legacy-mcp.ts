import type { IncomingMessage } from 'node:http';
import { createMcpCommands, type McpCommandsDeps } from '../../../lib/mcp-commands/mcp-commands.js';
import type { McpClientSettings } from '../../../lib/mcp-commands/mcp-settings.js';
import type { Actor } from '../../../lib/mcp-commands/command-workflow.js';
import type { SocketIdentity } from '../../../lib/mcp-commands/command-socket.js';
import type { LegacyContext, LegacyExtensionFactory } from '../legacy-context.js';
import { mcpRoutes } from './mcp-routes.js';
import { createMcpSchema } from './mcp-schema.js';
import { createSqlCommandStore } from './sql-command-store.js';

export interface LegacyMcpOptions extends Partial<Pick<McpCommandsDeps, 'feedIntervalMs' | 'pingIntervalMs' | 'allowedOrigins' | 'toolsCacheMs' | 'clock' | 'limits' | 'maxSocketsPerUser'>> {
  /** resolveMcpClientSettings(env, secrets): MCP_URL, MCP_TOKEN, JWT_SECRET, MCP_APPROVAL_TTL. */
  readonly settings: McpClientSettings;
}

/**
 * The `/mcp` feature for createLegacyApp: the routes and `/mcp/ws`, on the session the
 * app already has, with raw SQL on the shared tables.
 *
 * @example
 * const app = createLegacyApp({ db, sessionSecrets, logger, mcp: legacyMcp({ settings: resolveMcpClientSettings(env, secrets) }) });
 * server.on('upgrade', app.handleUpgrade);
 */
export function legacyMcp(options: LegacyMcpOptions): LegacyExtensionFactory {
  return (ctx: LegacyContext) => {
    createMcpSchema(ctx.db);
    const { settings, ...tuning } = options;
    const mcp = createMcpCommands({
      ...tuning,
      store: createSqlCommandStore(ctx.db),
      settings,
      logger: ctx.logger,
      authenticateSocket: async (req) => sessionIdentity(ctx, req),
    });
    return { router: mcpRoutes(ctx, mcp.workflow), upgrade: mcp.upgrade, close: () => mcp.close() };
  };
}

/** The upgrade's connect.sid, read through express-session's codec and store, now and again later. */
function sessionIdentity(ctx: LegacyContext, req: IncomingMessage): SocketIdentity | undefined {
  const user = ctx.userFromRequest(req);
  if (!user) return undefined;
  const actor: Actor = { id: user.id, role: user.role };
  return {
    actor,
    async recheck() {
      const now = ctx.userFromRequest(req);
      return now && now.id === actor.id ? { id: now.id, role: now.role } : undefined;
    },
  };
}
