import { mkdirSync, realpathSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { closeServer, listen } from '../../lib/listen.js';
import { DEFAULT_COMMAND_LIMITS } from '../../lib/mcp-commands/command-limits.js';
import type { McpClientSettings } from '../../lib/mcp-commands/mcp-settings.js';
import { createTokenService } from '../../lib/tokens.js';
import { createMcpHttpApp, type McpHttpApp } from '../../new-backend/src/mcp-server/http/create-mcp-http-app.js';
import { openCommandService, type OpenCommandService } from '../../new-backend/src/mcp-server/open-command-service.js';
import { testPolicy } from './mcp-server/fixture.js';
import { TEST_JWT_SECRETS } from './new-backend.js';
import { tempDir } from './temp.js';

export const TEST_MCP_TOKEN = 'test-mcp-service-token-for-backends-0123456789';

export interface RunningMcpServer {
  /** The Streamable HTTP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Real path of the workspace commands run in. */
  readonly workspace: string;
  /** The command service, once attached (its audit log proves what ran). */
  service(): OpenCommandService;
  /** Opens the command service on the shared database (users and roles come from it); again to move it to another file. */
  attach(databasePath: string): void;
  /** The server goes away: its port refuses connections, open connections are cut. */
  stop(): Promise<void>;
  /** Back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real MCP server (command service, policy = the repository's with rate limits
 * lifted, HTTP app) on 127.0.0.1 and a free port. It listens at once; the database it
 * reads users from is given later with `attach`, so it can start before the backends
 * that create that file.
 *
 * @example
 * const mcp = await startMcpServer();
 * const legacy = await startLegacy({ mcp: legacyMcp({ settings: mcpSettings(mcp) }) });
 * mcp.attach(legacy.dbPath);
 */
export async function startMcpServer(options: { jwtSecrets?: readonly string[]; serviceToken?: string } = {}): Promise<RunningMcpServer> {
  const dir = tempDir('strangler-mcp-');
  const root = realpathSync(dir.path);
  const workspace = join(root, 'workspace');
  mkdirSync(workspace);
  const jwtSecrets = options.jwtSecrets ?? TEST_JWT_SECRETS;
  const serviceToken = options.serviceToken ?? TEST_MCP_TOKEN;
  let service: OpenCommandService | undefined;
  let http: McpHttpApp | undefined;
  const handler: RequestListener = (req, res) => {
    if (!http) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32603,"message":"not attached"},"id":null}');
      return;
    }
    http.app(req, res);
  };
  let server = createServer(handler);
  const port = await listen(server, 0, '127.0.0.1', 'MCP_PORT');
  let running = true;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    workspace,
    service() {
      if (!service) throw new Error('startMcpServer: attach(databasePath) first');
      return service;
    },
    attach(databasePath) {
      void service?.close();
      void http?.close();
      service = openCommandService({
        policy: { current: () => testPolicy() },
        workspace,
        auditPath: join(root, 'mcp-audit.db'),
        databasePath,
        jwtSecrets,
        logger: pino({ level: 'silent' }),
        runner: { killGraceMs: 300 },
      });
      http = createMcpHttpApp({
        commands: service.commands,
        serviceTokens: [serviceToken],
        tokens: createTokenService(jwtSecrets),
        users: service.users,
        allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
        allowedOrigins: [],
        logger: pino({ level: 'silent' }),
      });
    },
    async stop() {
      if (!running) return;
      running = false;
      // Sessions die with the server, as they would in a real restart.
      await http?.close();
      server.closeAllConnections();
      await closeServer(server);
    },
    async start() {
      if (running) return;
      server = createServer(handler);
      await listen(server, port, '127.0.0.1', 'MCP_PORT');
      running = true;
    },
    async close() {
      if (running) {
        await http?.close();
        server.closeAllConnections();
        await closeServer(server);
        running = false;
      }
      await service?.close();
      dir.cleanup();
    },
  };
}

/** What a backend's /mcp feature needs to reach this server. */
export function mcpSettings(server: Pick<RunningMcpServer, 'url'>, overrides: Partial<McpClientSettings> = {}): McpClientSettings {
  return {
    url: server.url,
    serviceToken: TEST_MCP_TOKEN,
    jwtSecrets: TEST_JWT_SECRETS,
    approvalTtlMs: 60 * 60 * 1000,
    connectTimeoutMs: 3000,
    limits: DEFAULT_COMMAND_LIMITS,
    ...overrides,
  };
}
