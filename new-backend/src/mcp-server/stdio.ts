// The MCP server over stdio, for desktop MCP clients: `npm run mcp:stdio`.
// stdout carries the protocol and nothing else (M11): logs go to stderr, children's
// output is piped into results, and console.log is pointed at stderr in case a library
// prints.
import { pino } from 'pino';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadDotEnv } from '../../../lib/env.js';
import { bootstrap } from './bootstrap.js';
import { serviceIdentity } from './identity/identity.js';
import { createTerminalServer } from './terminal-server.js';

console.log = console.error;
console.info = console.error;
console.debug = console.error;

loadDotEnv();
const logger = pino({ name: 'mcp-stdio', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ fd: 2, sync: true }));

try {
  const { service } = bootstrap(process.env, logger);
  // Identity comes from the environment (M11): the person who launched this process.
  const raw = process.env.MCP_STDIO_USER_ID;
  let identity = serviceIdentity(undefined, 'stdio');
  if (raw) {
    const found = /^[1-9][0-9]*$/.test(raw) ? service.users.findUser(Number(raw)) : { ok: false as const, reason: 'it is not a user id' };
    if (!found.ok) throw new ConfigError([`MCP_STDIO_USER_ID=${raw} cannot be checked: ${found.reason}`]);
    if (!found.user) throw new ConfigError([`MCP_STDIO_USER_ID=${raw}: no such user in the database`]);
    identity = serviceIdentity(found.user, 'stdio');
  }
  const server = createTerminalServer(service.commands, { identity, transport: 'stdio' });
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    await service.close();
    process.exit(0);
  };
  transport.onclose = () => void shutdown();
  process.stdin.on('end', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  await server.connect(transport);
  logger.info({ identity: identity.key }, 'MCP server on stdio');
} catch (err) {
  if (err instanceof ConfigError) {
    logger.fatal(err.message);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
