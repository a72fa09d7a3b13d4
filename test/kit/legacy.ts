import type { SqliteDatabase } from '../../lib/sqlite.js';
import type { LegacyApp, LegacyAppDeps } from '../../legacy-adapter/src/legacy-app.js';
import type { AdminAccount } from '../../legacy-adapter/src/seed-admin.js';
import { startServer } from './server.js';
import { tempDir } from './temp.js';

export interface RunningLegacy {
  readonly url: string;
  readonly port: number;
  readonly app: LegacyApp;
  /** The legacy process's own handle on the database file. */
  readonly db: SqliteDatabase;
  readonly dbPath: string;
  readonly admin: AdminAccount;
  readonly sessionSecrets: readonly string[];
  close(): Promise<void>;
}

export interface StartLegacyOptions extends Partial<Pick<LegacyAppDeps, 'secureCookies' | 'mcp' | 'bcryptRounds'>> {
  /** An existing database file (shared with another component); default a new one in a temp folder. */
  readonly dbPath?: string;
  readonly admin?: AdminAccount;
  readonly sessionSecrets?: readonly string[];
}

export const TEST_SESSION_SECRETS: readonly string[] = ['test-session-secret-0123456789abcdef0123456789'];
export const TEST_ADMIN: AdminAccount = { username: 'admin', password: 'admin-password', email: 'admin@example.test' };

/**
 * The real legacy app on 127.0.0.1 and a free port, on a real SQLite file with the admin
 * seeded. bcrypt cost defaults to 4 here: the cost is a setting, and 10 would make
 * suites that create many users slow on a 2-core machine.
 *
 * @example
 * const legacy = await startLegacy();
 * after(() => legacy.close());
 */
export async function startLegacy(options: StartLegacyOptions = {}): Promise<RunningLegacy> {
  // The app's modules (express, express-session, bcrypt) load on first use, not when a suite imports the kit.
  const [{ createLogger }, { openDatabase }, { createLegacyApp }, { createLegacySchema }, { seedAdminIfEmpty }] = await Promise.all([
    import('../../lib/logger.js'),
    import('../../lib/sqlite.js'),
    import('../../legacy-adapter/src/legacy-app.js'),
    import('../../legacy-adapter/src/schema.js'),
    import('../../legacy-adapter/src/seed-admin.js'),
  ]);
  const dir = options.dbPath ? undefined : tempDir('strangler-legacy-');
  const dbPath = options.dbPath ?? (dir as { file(n: string): string }).file('app.db');
  const rounds = options.bcryptRounds ?? 4;
  const admin = options.admin ?? TEST_ADMIN;
  const sessionSecrets = options.sessionSecrets ?? TEST_SESSION_SECRETS;
  const db = openDatabase(dbPath);
  createLegacySchema(db);
  await seedAdminIfEmpty(db, admin, rounds);
  const app = createLegacyApp({
    db,
    sessionSecrets,
    logger: createLogger('legacy', process.env.LOG_LEVEL ?? 'silent'),
    bcryptRounds: rounds,
    ...(options.secureCookies !== undefined ? { secureCookies: options.secureCookies } : {}),
    ...(options.mcp ? { mcp: options.mcp } : {}),
  });
  const running = await startServer(app);
  running.server.on('upgrade', app.handleUpgrade);
  return {
    url: running.url,
    port: running.port,
    app,
    db,
    dbPath,
    admin,
    sessionSecrets,
    async close() {
      await running.close();
      await app.close();
      db.close();
      dir?.cleanup();
    },
  };
}
