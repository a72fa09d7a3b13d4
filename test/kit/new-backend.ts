import type { Kysely } from 'kysely';
import type { SqliteDatabase } from '../../lib/sqlite.js';
import type { BridgedTokens } from '../../lib/access-verifier.js';
import type { TokenService } from '../../lib/tokens.js';
import type { NewBackendApp, NewBackendDeps } from '../../new-backend/src/app.js';
import type { Database } from '../../new-backend/src/db/schema.js';
import { ApiClient } from './client.js';
import { startServer } from './server.js';
import { tempDir } from './temp.js';
import { uniqueName } from './unique.js';

export interface RunningNewBackend {
  readonly url: string;
  readonly port: number;
  readonly app: NewBackendApp;
  readonly db: Kysely<Database>;
  /** The same handle Kysely uses, for raw checks. */
  readonly sqlite: SqliteDatabase;
  readonly dbPath: string;
  readonly tokens: TokenService;
  readonly jwtSecrets: readonly string[];
  readonly admin: { readonly username: string; readonly password: string; readonly email: string };
  /** A client with no credentials (cookie jar unused: this backend reads bearer tokens only). */
  client(): ApiClient;
  /** Logs in through POST /auth/login and returns the X-Auth-Token it answers with. */
  login(username: string, password: string): Promise<string>;
  /** Creates a user through POST /users (as admin) and logs them in. */
  user(options?: { role?: 'admin' | 'user'; password?: string }): Promise<NewBackendUser>;
  /** A valid access token for a user id, minted directly (what the proxy's bridge does). */
  mint(userId: number, role?: 'admin' | 'user'): Promise<string>;
  close(): Promise<void>;
}

export interface NewBackendUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly role: 'admin' | 'user';
  readonly password: string;
  /** An access token from logging in. */
  readonly token: string;
}

export interface StartNewBackendOptions extends Partial<Pick<NewBackendDeps, 'mcp' | 'bcryptRounds' | 'clock'>> {
  /** An existing database file (shared with another component); default a new one in a temp folder. */
  readonly dbPath?: string;
  readonly jwtSecrets?: readonly string[];
  /** The proxy's bridged tokens (audience and JWKS); default HS256 bridged tokens only. */
  readonly bridged?: BridgedTokens;
  readonly admin?: { username: string; password: string; email: string };
}

export const TEST_JWT_SECRETS: readonly string[] = ['test-jwt-secret-0123456789abcdef-0123456789abcdef'];
export const NEW_BACKEND_ADMIN = { username: 'admin', password: 'admin-password', email: 'admin@example.test' } as const;

/** `{ authorization: 'Bearer …' }` for a request. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * The real new backend on 127.0.0.1 and a free port, on a real SQLite file, migrated, with
 * the admin seeded. bcrypt cost 4 (a setting; 10 is slow on a 2-core machine).
 *
 * @example
 * const nb = await startNewBackend();
 * after(() => nb.close());
 * const token = await nb.login('admin', nb.admin.password);
 */
export async function startNewBackend(options: StartNewBackendOptions = {}): Promise<RunningNewBackend> {
  // The backend's modules (Kysely, jose, the MCP SDK) load on first use, not when a suite
  // imports the kit: most suites that import it never start a new backend.
  const [{ default: bcrypt }, { createLogger }, { openDatabase }, { AUDIENCE, createTokenService }, { createNewBackendApp }, { createKysely }, { migrateToLatest }, { seedAdminIfEmpty }] = await Promise.all([
    import('bcryptjs'),
    import('../../lib/logger.js'),
    import('../../lib/sqlite.js'),
    import('../../lib/tokens.js'),
    import('../../new-backend/src/app.js'),
    import('../../new-backend/src/db/connect.js'),
    import('../../new-backend/src/db/migrator.js'),
    import('../../new-backend/src/db/seed-admin.js'),
  ]);
  const dir = options.dbPath ? undefined : tempDir('strangler-new-');
  const dbPath = options.dbPath ?? (dir as { file(n: string): string }).file('app.db');
  const rounds = options.bcryptRounds ?? 4;
  const admin = options.admin ?? NEW_BACKEND_ADMIN;
  const jwtSecrets = options.jwtSecrets ?? TEST_JWT_SECRETS;
  const sqlite = openDatabase(dbPath);
  const db = createKysely(sqlite);
  const migrated = await migrateToLatest(db);
  if (!migrated.ok) throw new Error(`migration failed: ${migrated.reason}`);
  await seedAdminIfEmpty(db, { username: admin.username, email: admin.email, passwordHash: bcrypt.hashSync(admin.password, rounds) });
  const tokens = createTokenService(jwtSecrets, options.clock);
  const app = createNewBackendApp({
    db,
    tokens,
    ...(options.bridged ? { bridged: options.bridged } : {}),
    logger: createLogger('new-backend', process.env.LOG_LEVEL ?? 'silent'),
    bcryptRounds: rounds,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.mcp ? { mcp: options.mcp } : {}),
  });
  const running = await startServer(app);
  running.server.on('upgrade', app.handleUpgrade);
  const client = () => new ApiClient(running.url);
  const login = async (username: string, password: string): Promise<string> => {
    const res = await client().login(username, password);
    const token = res.headers.get('x-auth-token');
    if (res.status !== 200 || !token) throw new Error(`login as ${username} failed: ${res.status} ${res.text}`);
    return token;
  };
  return {
    url: running.url,
    port: running.port,
    app,
    db,
    sqlite,
    dbPath,
    tokens,
    jwtSecrets,
    admin,
    client,
    login,
    async user(options = {}) {
      const adminToken = await login(admin.username, admin.password);
      const username = uniqueName('u');
      const password = options.password ?? `pw-${username}`;
      const created = await client().post('/users', {
        username, name: `Test ${username}`, email: `${username}@example.test`, password, ...(options.role ? { role: options.role } : {}),
      }, { headers: bearer(adminToken) });
      if (created.status !== 201) throw new Error(`creating ${username} failed: ${created.status} ${created.text}`);
      const user = created.body as Omit<NewBackendUser, 'password' | 'token'>;
      return { ...user, password, token: await login(username, password) };
    },
    async mint(userId, role = 'user') {
      return (await tokens.mint({ sub: userId, role, audience: AUDIENCE.newBackend })).token;
    },
    async close() {
      await running.close();
      await app.close();
      await db.destroy();
      dir?.cleanup();
    },
  };
}
