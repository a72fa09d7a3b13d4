// The new backend's process: reads the environment, opens and migrates the shared
// database, seeds the admin into an empty one, listens on NEW_BACKEND_PORT and stops
// cleanly on SIGTERM/SIGINT.
import { createRemoteJWKSet } from 'jose';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { ConfigError, loadDotEnv, resolveSecrets } from '../../lib/env.js';
import { listen } from '../../lib/listen.js';
import { exitOnStartFailure, stopOnSignals } from '../../lib/process-lifecycle.js';
import { createLogger } from '../../lib/logger.js';
import { resolveMcpClientSettings } from '../../lib/mcp-commands/mcp-settings.js';
import { openDatabase } from '../../lib/sqlite.js';
import { createTokenService } from '../../lib/tokens.js';
import { createNewBackendApp } from './app.js';
import { loadConfig } from './config.js';
import { backupDatabase } from './db/backup.js';
import { createKysely } from './db/connect.js';
import { migrateToLatest, pendingMigrations } from './db/migrator.js';
import { seedAdminIfEmpty } from './db/seed-admin.js';
import { newBackendMcp } from './mcp/new-backend-mcp.js';

const NAME = 'new-backend';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const mcpSettings = resolveMcpClientSettings(process.env, resolveSecrets(process.env));
  const logger = createLogger(NAME);
  const tokens = createTokenService(config.jwtSecrets);

  const existed = existsSync(config.databasePath);
  const sqlite = openDatabase(config.databasePath);
  const db = createKysely(sqlite);
  const pending = await pendingMigrations(db);
  if (pending.length) {
    // A file with data gets a copy first, as `strangler db migrate` does; a new one has nothing to lose.
    if (existed && hasUserTables(sqlite)) {
      const { file } = await backupDatabase(sqlite, config.databasePath);
      logger.info(`backed up ${config.databasePath} to ${file} before migrating`);
    }
    const outcome = await migrateToLatest(db);
    if (!outcome.ok) {
      throw new ConfigError([`migration ${outcome.failed ?? '(none)'} failed: ${outcome.reason}; the database is unchanged. Fix it, then run \`npx strangler db migrate\``]);
    }
    for (const name of outcome.applied) logger.info(`applied migration ${name}`);
  }
  if (await seedAdminIfEmpty(db, { username: config.admin.username, email: config.admin.email, passwordHash: await bcrypt.hash(config.admin.password, 10) })) {
    logger.info(`seeded admin user "${config.admin.username}" into the empty database ${config.databasePath}`);
  }

  // Tokens the proxy's bridge mints for this backend are checked against the proxy's public keys.
  const bridged = { audience: config.bridgeAudience, keys: createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 5_000 }) };
  const app = createNewBackendApp({ db, tokens, bridged, logger, mcp: newBackendMcp({ settings: mcpSettings }), trustProxy: process.env.TRUST_PROXY?.trim() || undefined });
  const server = createServer(app);
  server.on('upgrade', app.handleUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  const bound = await listen(server, config.port, config.host, 'NEW_BACKEND_PORT');
  // Open WebSockets (/mcp/ws) are closed by the app (1001) when the grace is up. The handlers
  // are in place before the line below: a supervisor may send SIGTERM as soon as it reads it.
  stopOnSignals(server, logger, { graceMs: 3000, closeApp: () => app.close(), closeResources: () => db.destroy() });
  logger.info(`listening on http://${config.host}:${bound} (database ${config.databasePath}; API docs at /docs)`);
}

function hasUserTables(sqlite: ReturnType<typeof openDatabase>): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined;
}

main().catch(exitOnStartFailure(NAME));
