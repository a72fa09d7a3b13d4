// The legacy backend's process: reads the environment, opens the shared database,
// listens on LEGACY_PORT and stops cleanly on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { envPort, loadDotEnv, resolveAdmin, resolveSecrets, secretList } from '../../lib/env.js';
import { listen } from '../../lib/listen.js';
import { exitOnStartFailure, stopOnSignals } from '../../lib/process-lifecycle.js';
import { createLogger } from '../../lib/logger.js';
import { openDatabase } from '../../lib/sqlite.js';
import { resolveMcpClientSettings } from '../../lib/mcp-commands/mcp-settings.js';
import { createLegacyApp } from './legacy-app.js';
import { legacyMcp } from './mcp/legacy-mcp.js';
import { createLegacySchema } from './schema.js';
import { seedAdminIfEmpty } from './seed-admin.js';

const NAME = 'legacy';

async function main(): Promise<void> {
  loadDotEnv();
  const env = process.env;
  const secrets = resolveSecrets(env);
  const admin = resolveAdmin(env);
  const port = envPort(env, 'LEGACY_PORT', 5601);
  const host = env.LEGACY_HOST || env.HOST || '127.0.0.1';
  const databasePath = env.DATABASE_PATH || 'data/app.db';
  const mcpSettings = resolveMcpClientSettings(env, secrets);
  const logger = createLogger(NAME);

  const db = openDatabase(databasePath);
  createLegacySchema(db);
  const { seeded } = await seedAdminIfEmpty(db, admin);
  if (seeded) logger.info(`seeded admin user "${admin.username}" into the empty database ${databasePath}`);

  const app = createLegacyApp({
    db,
    sessionSecrets: secretList(secrets.SESSION_SECRET),
    logger,
    secureCookies: env.COOKIE_SECURE === 'true',
    trustProxy: env.TRUST_PROXY?.trim() || undefined,
    mcp: legacyMcp({ settings: mcpSettings }),
  });
  const server = createServer(app);
  server.on('upgrade', app.handleUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  const bound = await listen(server, port, host, 'LEGACY_PORT');
  // Open WebSockets (/mcp/ws) are closed by the app (1001) when the grace is up. The handlers
  // are in place before the line below: a supervisor may send SIGTERM as soon as it reads it.
  stopOnSignals(server, logger, { graceMs: 3000, closeApp: () => app.close(), closeResources: () => db.close() });
  logger.info(`listening on http://${host}:${bound} (database ${databasePath})`);
}

main().catch(exitOnStartFailure(NAME));
