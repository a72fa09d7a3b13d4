import { createMcpCommands, type McpCommandsDeps } from '../../../lib/mcp-commands/mcp-commands.js';
import type { McpClientSettings } from '../../../lib/mcp-commands/mcp-settings.js';
import type { NewBackendContext, NewBackendExtensionFactory } from '../new-backend-context.js';
import { createKyselyCommandStore } from './kysely-command-store.js';
import { mcpRoutes } from './mcp-routes.js';
import { bearerSocketIdentity } from './socket-identity.js';

export interface NewBackendMcpOptions extends Partial<Pick<McpCommandsDeps, 'feedIntervalMs' | 'pingIntervalMs' | 'allowedOrigins' | 'toolsCacheMs' | 'clock' | 'limits' | 'maxSocketsPerUser'>> {
  /** resolveMcpClientSettings(env, secrets): MCP_URL, MCP_TOKEN, JWT_SECRET, MCP_APPROVAL_TTL. */
  readonly settings: McpClientSettings;
}

/**
 * The `/mcp` feature for createNewBackendApp: the routes (documented in OpenAPI) and
 * `/mcp/ws`, on bearer tokens, with Kysely on the shared tables (migration 0004 applied).
 *
 * @example
 * const app = createNewBackendApp({ db, tokens, logger, mcp: newBackendMcp({ settings: resolveMcpClientSettings(env, secrets) }) });
 * server.on('upgrade', app.handleUpgrade);
 */
export function newBackendMcp(options: NewBackendMcpOptions): NewBackendExtensionFactory {
  return (ctx: NewBackendContext) => {
    const { settings, ...tuning } = options;
    const mcp = createMcpCommands({
      ...tuning,
      store: createKyselyCommandStore(ctx.db),
      settings,
      logger: ctx.logger,
      authenticateSocket: (req) => bearerSocketIdentity(ctx, req),
    });
    return { routes: mcpRoutes(ctx, mcp.workflow), upgrade: mcp.upgrade, close: () => mcp.close() };
  };
}
