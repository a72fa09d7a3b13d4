import express, { Router, type Express, type Request } from 'express';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../../lib/logger.js';
import { createAccessVerifier, type BridgedTokens } from '../../lib/access-verifier.js';
import type { TokenService } from '../../lib/tokens.js';
import { authRoutes } from './auth/auth-routes.js';
import { Health } from './auth/auth-schemas.js';
import { createAuthenticator, currentAuth } from './auth/authenticate.js';
import { kyselyThrottleSql } from './auth/kysely-throttle-sql.js';
import { createPasswords } from './auth/passwords.js';
import { createRefreshTokens } from './auth/refresh-tokens.js';
import { createTokenIssuer } from './auth/token-issuer.js';
import { createTokenState } from './auth/token-state.js';
import type { Database } from './db/schema.js';
import { bodyParser } from '../../lib/http/body-parser.js';
import { refuseCrossSiteForms } from '../../lib/http/cross-site-forms.js';
import { trustProxy } from '../../lib/http/trust-proxy.js';
import { createLoginThrottle, type LoginThrottleOptions } from '../../lib/login-throttle/login-throttle.js';
import { errorHandler } from '../../lib/http/error-handler.js';
import { MESSAGES } from './http/messages.js';
import { requestLogger } from '../../lib/http/request-logger.js';
import { mountRoutes, type RouteSpec } from './http/route-spec.js';
import { sendError } from '../../lib/http/send-error.js';
import { mcpUpgrades } from '../../lib/mcp-commands/upgrade-guards.js';
import type { NewBackendContext, NewBackendExtension, NewBackendExtensionFactory, UpgradeHandler } from './new-backend-context.js';
import { docsAssets } from './openapi/docs-page.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { createUserRepository } from './users/user-repository.js';
import { userRoutes } from './users/user-routes.js';

export interface NewBackendDeps {
  /** Kysely on the shared database, migrations already applied. */
  readonly db: Kysely<Database>;
  /** lib/tokens over JWT_SECRET: mints and verifies this backend's access tokens. */
  readonly tokens: TokenService;
  /** The proxy's bridged tokens: their audience and the proxy's JWKS (default: `strangler:new`, HS256 only). */
  readonly bridged?: BridgedTokens;
  readonly logger: Logger;
  /** bcrypt cost for new hashes; default 10, as the legacy app. */
  readonly bcryptRounds?: number;
  readonly clock?: () => number;
  /** The `/mcp` feature, mounted inside the app when given. */
  readonly mcp?: NewBackendExtensionFactory;
  /** Login throttling (rules, clock); the counters live in the shared database, with the legacy app's. */
  readonly loginThrottle?: LoginThrottleOptions;
  /**
   * Peers whose X-Forwarded-For names the client (express's `trust proxy`); default
   * `loopback`, where the proxy runs. A client's own header from anywhere else is ignored.
   */
  readonly trustProxy?: string | false;
}

export type NewBackendApp = Express & {
  /** Every route the app serves, as documented in /openapi.json. */
  readonly routes: readonly RouteSpec[];
  /** Hand the server's `upgrade` event here (WebSockets under /mcp). */
  readonly handleUpgrade: UpgradeHandler;
  /** Stops the mounted features; the database stays open (the caller owns it). */
  readonly close: () => Promise<void>;
};

const API_PATHS = ['/auth', '/users', '/mcp'];
const FORM_PATHS = new Set(['/auth/login', '/auth/token', '/auth/refresh']);
const VERSION = '0.1.0';

/**
 * The new backend: the frontend contract's health, auth and users (identical answers to
 * the legacy app) on Kysely, authenticated by bearer tokens only, plus the token API and
 * an OpenAPI 3.1 document. It does not listen; main.ts does.
 *
 * @example
 * const app = createNewBackendApp({ db: createKysely(openDatabase(path)), tokens: createTokenService([secret]), logger });
 * const server = http.createServer(app);
 * server.on('upgrade', app.handleUpgrade);
 */
export function createNewBackendApp(deps: NewBackendDeps): NewBackendApp {
  const { db, tokens, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const users = createUserRepository(db);
  const passwords = createPasswords(deps.bcryptRounds ?? 10);
  const state = createTokenState(db, clock);
  const refresh = createRefreshTokens(db, { clock });
  const issuer = createTokenIssuer(tokens, state, refresh, clock);
  const throttle = createLoginThrottle(kyselyThrottleSql(db), deps.loginThrottle);
  const auth = createAuthenticator(db, createAccessVerifier(tokens, deps.bridged ?? { audience: 'strangler:new' }, clock));

  const context: NewBackendContext = {
    db, tokens, logger,
    authenticate: auth.authenticate,
    requireUser: auth.requireUser,
    requireAdmin: auth.requireAdmin,
    currentAuth,
  };
  const mcp: NewBackendExtension | undefined = deps.mcp?.(context);

  const healthRoute: RouteSpec = {
    method: 'get', path: '/health', tag: 'meta', auth: 'none', summary: 'Liveness, with a database round trip',
    responses: { 200: { description: '`{"status":"ok"}`.', schema: Health }, 503: { description: 'The database cannot be read.' } },
    handlers: [async (_req, res) => {
      try {
        await sql`SELECT 1`.execute(db);
        res.json({ status: 'ok' });
      } catch (err) {
        logger.error({ err }, 'health check: database unavailable');
        res.status(503).json({ status: 'unavailable' });
      }
    }],
  };
  const apiRoutes: RouteSpec[] = [
    ...authRoutes({ users, passwords, tokens, issuer, state, refresh, auth, throttle }),
    ...userRoutes({ users, passwords, state, refresh, auth, db, sessionTag: tokens.sessionTag }),
    ...(mcp?.routes ?? []),
  ];
  const routes: RouteSpec[] = [];
  const metaRoutes = openApiRoutes(() => routes, { title: 'Strangler new backend', version: VERSION, description: 'The frontend contract (health, auth, users) on bearer tokens, and the token API.' });
  routes.push(healthRoute, ...apiRoutes, ...metaRoutes);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  trustProxy(app, deps.trustProxy);
  app.use(requestLogger(logger));
  app.use(mountRoutes(Router(), [healthRoute]));

  app.use(API_PATHS, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(API_PATHS, refuseCrossSiteForms());
  app.use(API_PATHS, bodyParser({ acceptsForm }));
  app.use(mountRoutes(Router(), apiRoutes));
  if (mcp?.router) app.use('/mcp', mcp.router);
  app.use(API_PATHS, (_req, res) => sendError(res, 404, MESSAGES.notFound));

  app.use(mountRoutes(Router(), metaRoutes));
  app.use('/docs', docsAssets());
  app.use((_req, res) => sendError(res, 404, MESSAGES.notFound));
  app.use(errorHandler(logger));

  const handleUpgrade: UpgradeHandler = mcpUpgrades(mcp);

  return Object.assign(app, {
    routes: Object.freeze(routes),
    handleUpgrade,
    close: async () => {
      await mcp?.close?.();
    },
  });
}

function acceptsForm(req: Request): boolean {
  return req.method === 'POST' && FORM_PATHS.has(`${req.baseUrl}${req.path}`.toLowerCase().replace(/\/+$/, ''));
}

