import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../../lib/logger.js';
import type { SqliteDatabase } from '../../lib/sqlite.js';
import type { SqliteSessionStore } from '../../lib/legacy-session/session-store.js';
import type { UserRow, UserStore } from './users/user-store.js';
import type { UpgradeHandler } from '../../lib/mcp-commands/upgrade-guards.js';

/** What the legacy app lends a feature mounted inside it (the `/mcp` routes). */
export interface LegacyContext {
  readonly db: SqliteDatabase;
  readonly logger: Logger;
  readonly users: UserStore;
  readonly sessions: SqliteSessionStore;
  /** 401 unless the session holds a user; the user is then `currentUser(res)`. */
  readonly requireUser: RequestHandler;
  /** After requireUser: 403 unless admin. */
  readonly requireAdmin: RequestHandler;
  readonly currentUser: (res: Response) => UserRow;
  /** The user behind a raw request's connect.sid (for WebSocket upgrades, which bypass express). */
  readonly userFromRequest: (req: IncomingMessage) => UserRow | undefined;
}

export type { UpgradeHandler } from '../../lib/mcp-commands/upgrade-guards.js';

/**
 * A feature mounted under its path prefix: its router sees parsed JSON bodies and the
 * session; unknown paths below the prefix still get the contract's 404 JSON.
 */
export interface LegacyExtension {
  readonly router: RequestHandler;
  readonly upgrade?: UpgradeHandler;
  readonly close?: () => void | Promise<void>;
}

export type LegacyExtensionFactory = (ctx: LegacyContext) => LegacyExtension;
