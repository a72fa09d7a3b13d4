import { createServer } from 'node:http';
import { ConfigError, loadDotEnv, secretList } from '../../../lib/env.js';
import { closeServer, listen } from '../../../lib/listen.js';
import { createLogger } from '../../../lib/logger.js';
import { createTokenService } from '../../../lib/tokens.js';
import { bootstrap } from './bootstrap.js';
import { createMcpHttpApp, MCP_PATH } from './http/create-mcp-http-app.js';

// The MCP server over Streamable HTTP (MCP_HOST:MCP_PORT/mcp, 127.0.0.1:5000 by default).
// SIGHUP reloads mcp-policy.yaml; SIGINT/SIGTERM close sessions and kill running commands.
loadDotEnv();
const logger = createLogger('mcp');

try {
  const started = bootstrap(process.env, logger);
  const { config, secrets, service } = started;
  const mcp = createMcpHttpApp({
    commands: service.commands,
    serviceTokens: secretList(secrets.MCP_TOKEN),
    tokens: createTokenService(secretList(secrets.JWT_SECRET)),
    users: service.users,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    allowLoopbackOrigins: config.allowLoopbackOrigins,
    logger,
    sessions: { idleMs: config.sessionIdleMs },
  });
  const server = createServer(mcp.app);
  const port = await listen(server, config.port, config.host, 'MCP_PORT');

  // The handlers are in place before the line that says where the server listens: a
  // supervisor may send SIGTERM as soon as it reads it.
  process.on('SIGHUP', () => started.reloadPolicy());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: closing sessions and killing running commands`);
    await mcp.close();
    await service.close();
    await closeServer(server);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  logger.info({ workspace: config.workspace, policy: config.policyFile, containment: service.runner.containment }, `MCP server on http://${config.host}:${port}${MCP_PATH}`);
} catch (err) {
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'PortInUseError')) {
    logger.fatal(err.message);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
