import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { createCommandClient } from '../mcp-client.js';
import { createCommandFeed, type CommandFeed } from './command-feed.js';
import { createCommandSocketServer, type SocketIdentity } from './command-socket.js';
import type { CommandStore } from './command-store.js';
import type { CommandLimits } from './command-limits.js';
import { createCommandWorkflow, type CommandWorkflow } from './command-workflow.js';
import type { McpClientSettings } from './mcp-settings.js';

export const MCP_SOCKET_PATH = '/mcp/ws';

export interface McpCommandsDeps {
  readonly store: CommandStore;
  readonly settings: McpClientSettings;
  readonly logger: Logger;
  /** The backend's own way of reading a WebSocket upgrade's credential. */
  readonly authenticateSocket: (req: IncomingMessage) => Promise<SocketIdentity | undefined>;
  /** Tuning, mostly for tests. */
  readonly feedIntervalMs?: number;
  readonly pingIntervalMs?: number;
  readonly allowedOrigins?: readonly string[];
  readonly toolsCacheMs?: number;
  readonly clock?: () => number;
  /** Per-user rate and pending caps (DEFAULT_COMMAND_LIMITS otherwise). */
  readonly limits?: Partial<CommandLimits>;
  /** Open /mcp/ws sockets per user (default 8). */
  readonly maxSocketsPerUser?: number;
}

export interface McpCommands {
  readonly workflow: CommandWorkflow;
  readonly feed: CommandFeed;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes the sockets, stops the feed, ends the MCP sessions. */
  close(): Promise<void>;
}

/**
 * Everything behind /mcp that does not depend on the backend: the MCP client (service
 * token, acting user, sessions recorded in mcp_sessions), the workflow, the change feed
 * and the WebSocket server, wired together. A backend adds its store, its routes and
 * how it reads credentials.
 *
 * @example
 * const mcp = createMcpCommands({ store: createSqlCommandStore(db), settings, logger, authenticateSocket });
 * server.on('upgrade', mcp.upgrade);
 */
export function createMcpCommands(deps: McpCommandsDeps): McpCommands {
  const { store, settings, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const client = createCommandClient({
    url: settings.url,
    serviceToken: settings.serviceToken,
    jwtSecrets: settings.jwtSecrets,
    connectTimeoutMs: settings.connectTimeoutMs,
    // Never throws: a failed insert must not make the MCP server look unavailable.
    onSession: async (userId, sessionId) => {
      if (userId === null) return;
      try {
        await store.recordSession(userId, sessionId, new Date(clock()).toISOString());
      } catch (err) {
        logger.warn({ err, user: userId }, 'could not record the MCP session in mcp_sessions');
      }
    },
  });
  const feed = createCommandFeed({
    store,
    logger,
    clock,
    ...(deps.feedIntervalMs !== undefined ? { intervalMs: deps.feedIntervalMs } : {}),
    // Expired approvals become `rejected` between reads, so their owners hear of it too.
    beforePoll: () => workflow.expire(),
  });
  const workflow = createCommandWorkflow({
    store, runner: client, approvalTtlMs: settings.approvalTtlMs, logger, clock, onChange: (row) => feed.notify(row),
    ...(deps.toolsCacheMs !== undefined ? { toolsCacheMs: deps.toolsCacheMs } : {}),
    limits: { ...settings.limits, ...deps.limits },
  });
  const sockets = createCommandSocketServer({
    path: MCP_SOCKET_PATH,
    authenticate: deps.authenticateSocket,
    workflow,
    feed,
    logger,
    ...(deps.pingIntervalMs !== undefined ? { pingIntervalMs: deps.pingIntervalMs } : {}),
    ...(deps.allowedOrigins ? { allowedOrigins: deps.allowedOrigins } : {}),
    ...(deps.maxSocketsPerUser !== undefined ? { maxSocketsPerUser: deps.maxSocketsPerUser } : {}),
  });
  return {
    workflow,
    feed,
    upgrade: sockets.upgrade,
    async close() {
      sockets.close();
      feed.close();
      await client.close();
    },
  };
}
