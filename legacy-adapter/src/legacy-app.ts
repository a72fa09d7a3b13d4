import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import express, { type Express, type Request } from 'express';
import type { Logger } from '../../lib/logger.js';
import type { SqliteDatabase } from '../../lib/sqlite.js';
import { authRoutes } from './auth/auth-routes.js';
import { currentUser, requireAdmin, requireUser } from './auth/current-user.js';
import { sessionMiddleware } from './auth/session-middleware.js';
import { bodyParser } from '../../lib/http/body-parser.js';
import { refuseCrossSiteForms } from '../../lib/http/cross-site-forms.js';
import { trustProxy } from '../../lib/http/trust-proxy.js';
import { CONTRACT_MESSAGES } from '../../lib/http/contract-messages.js';
import { errorHandler } from '../../lib/http/error-handler.js';
import { requestLogger } from '../../lib/http/request-logger.js';
import { sendError } from '../../lib/http/send-error.js';
import { createLoginThrottle, type LoginThrottleOptions } from '../../lib/login-throttle/login-throttle.js';
import { createLoginThrottleTable } from '../../lib/login-throttle/login-throttle-schema.js';
import { sqliteThrottleSql } from '../../lib/login-throttle/sqlite-throttle-sql.js';
import { mcpUpgrades } from '../../lib/mcp-commands/upgrade-guards.js';
import type { LegacyContext, LegacyExtension, LegacyExtensionFactory, UpgradeHandler } from './legacy-context.js';
import { readSessionId } from '../../lib/legacy-session/session-cookie.js';
import { SqliteSessionStore } from '../../lib/legacy-session/session-store.js';
import { createUserStore } from './users/user-store.js';
import { userRoutes } from './users/user-routes.js';

export interface LegacyAppDeps {
  /** The shared database, tables already created (createLegacySchema). */
  readonly db: SqliteDatabase;
  /** SESSION_SECRET as a list: the first signs, every one verifies. */
  readonly sessionSecrets: readonly string[];
  readonly logger: Logger;
  /** Mark the cookie Secure (behind TLS; X-Forwarded-Proto is trusted). */
  readonly secureCookies?: boolean;
  /** bcrypt cost for new hashes; default 10. */
  readonly bcryptRounds?: number;
  /** Folder of the static page; default legacy-adapter/public. */
  readonly publicDir?: string;
  /** The `/mcp` feature, mounted inside the app when given. */
  readonly mcp?: LegacyExtensionFactory;
  /** Login throttling (rules, clock); the counters live in the shared database. */
  readonly loginThrottle?: LoginThrottleOptions;
  /**
   * Peers whose X-Forwarded-For names the client (express's `trust proxy`); default
   * `loopback`, where the proxy runs. A client's own header from anywhere else is ignored.
   */
  readonly trustProxy?: string | false;
}

export type LegacyApp = Express & {
  /** Hand the server's `upgrade` event here (WebSockets under /mcp). */
  readonly handleUpgrade: UpgradeHandler;
  /** Stops timers and the mounted features; the database stays open (the caller owns it). */
  readonly close: () => Promise<void>;
};

const API_PATHS = ['/auth', '/users', '/mcp'];
// From the sources (legacy-adapter/src) or from the build (dist/legacy-adapter/src), which holds no page.
const DEFAULT_PUBLIC_DIR = [new URL('../public/', import.meta.url), new URL('../../../legacy-adapter/public/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../public/', import.meta.url));
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The legacy backend: the app the frontend talks to today, written the way the team's
 * Express app is (express-session on the shared SQLite file, raw SQL, bcrypt). It does
 * not listen; main.ts does.
 *
 * @example
 * const app = createLegacyApp({ db, sessionSecrets: ['…'], logger });
 * const server = http.createServer(app);
 * server.on('upgrade', app.handleUpgrade);
 */
export function createLegacyApp(deps: LegacyAppDeps): LegacyApp {
  const { db, logger } = deps;
  const secure = deps.secureCookies ?? false;
  const rounds = deps.bcryptRounds ?? 10;
  const users = createUserStore(db);
  const sessions = new SqliteSessionStore(db);
  // Not in LEGACY_SCHEMA: the file may never have been migrated by the new backend, and the
  // throttle must not fail open there (see login-throttle-schema.ts).
  createLoginThrottleTable(db);
  const throttle = createLoginThrottle(sqliteThrottleSql(db), deps.loginThrottle);
  const context: LegacyContext = {
    db,
    logger,
    users,
    sessions,
    requireUser: requireUser(users),
    requireAdmin,
    currentUser,
    userFromRequest: (req: IncomingMessage) => {
      const cookie = readSessionId(req.headers.cookie, deps.sessionSecrets);
      const userId = cookie.ok ? sessions.lookup(cookie.sid)?.userId : undefined;
      return typeof userId === 'number' ? users.findById(userId) : undefined;
    },
  };
  const mcp: LegacyExtension | undefined = deps.mcp?.(context);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  trustProxy(app, deps.trustProxy);
  app.use(requestLogger(logger));

  app.get('/health', (_req, res) => {
    try {
      db.prepare('SELECT 1').get();
      res.json({ status: 'ok' });
    } catch (err) {
      logger.error({ err }, 'health check: database unavailable');
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use(API_PATHS, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(API_PATHS, refuseCrossSiteForms());
  app.use(API_PATHS, bodyParser({ acceptsForm: isLoginForm }));
  app.use(API_PATHS, sessionMiddleware(sessions, deps.sessionSecrets, secure));
  app.use('/auth', authRoutes({ users, throttle, secureCookies: secure, dummyHash: bcrypt.hashSync('not a password', rounds) }));
  app.use('/users', userRoutes({ users, bcryptRounds: rounds, db }));
  if (mcp) app.use('/mcp', mcp.router);
  app.use(API_PATHS, (_req, res) => sendError(res, 404, CONTRACT_MESSAGES.notFound));

  app.use(express.static(deps.publicDir ?? DEFAULT_PUBLIC_DIR, { index: 'index.html', setHeaders: (res) => res.set(PAGE_HEADERS) }));
  app.use((_req, res) => sendError(res, 404, CONTRACT_MESSAGES.notFound));
  app.use(errorHandler(logger));

  const handleUpgrade: UpgradeHandler = mcpUpgrades(mcp);

  return Object.assign(app, {
    handleUpgrade,
    close: async () => {
      sessions.close();
      await mcp?.close?.();
    },
  });
}

function isLoginForm(req: Request): boolean {
  return req.method === 'POST' && req.baseUrl === '/auth' && req.path === '/login';
}

