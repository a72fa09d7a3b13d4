import type { RequestHandler, Response, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from '../../lib/logger.js';
import type { TokenService } from '../../lib/tokens.js';
import type { AuthResult, Authenticated } from './auth/authenticate.js';
import type { Database } from './db/schema.js';
import type { RouteSpec } from './http/route-spec.js';
import type { UpgradeHandler } from '../../lib/mcp-commands/upgrade-guards.js';

export type { UpgradeHandler } from '../../lib/mcp-commands/upgrade-guards.js';

/** What a feature mounted into the app (the `/mcp` routes) gets to work with. */
export interface NewBackendContext {
  readonly db: Kysely<Database>;
  readonly tokens: TokenService;
  readonly logger: Logger;
  /** Verifies an `Authorization` header value completely (signature, claims, denylist, valid-after, user). */
  readonly authenticate: (authorization: string | undefined) => Promise<AuthResult>;
  /** 401 unless authenticated; then `currentAuth(res)` has the user (role read fresh). */
  readonly requireUser: RequestHandler;
  /** After requireUser: 403 unless admin. */
  readonly requireAdmin: RequestHandler;
  readonly currentAuth: (res: Response) => Authenticated;
}

/**
 * A feature mounted under `/mcp`. `routes` (full paths, e.g. `/mcp/tools`) are mounted and
 * documented in OpenAPI; `router` is mounted at `/mcp` for anything else; `upgrade` gets
 * WebSocket upgrades under `/mcp`.
 */
export interface NewBackendExtension {
  readonly routes?: readonly RouteSpec[];
  readonly router?: Router;
  readonly upgrade?: UpgradeHandler;
  close?(): Promise<void>;
}

export type NewBackendExtensionFactory = (context: NewBackendContext) => NewBackendExtension;
