import type { Logger } from '../../../lib/logger.js';
import { openDatabase } from '../../../lib/sqlite.js';
import { createTokenService } from '../../../lib/tokens.js';
import { createSessionBridge, type SessionBridge, type SessionBridgeOptions } from './session-bridge.js';
import { createSqliteBridgeSessions } from './sqlite-bridge-sessions.js';

export interface OpenSessionBridgeOptions extends SessionBridgeOptions {
  /** The shared SQLite file (DATABASE_PATH) where the legacy app keeps its sessions. */
  readonly databasePath: string;
  /** JWT_SECRET as a list: the first signs bridged tokens, every one verifies a backend's X-Auth-Token. */
  readonly jwtSecrets: readonly string[];
  readonly logger: Logger;
  readonly clock?: () => number;
}

/**
 * The bridge as a process runs it: its own handle on the shared database, the token service
 * over JWT_SECRET. Closing the bridge (the proxy closes its extensions) closes the handle.
 *
 * @example
 * const bridge = openSessionBridge({ databasePath: 'data/app.db', sessionSecrets: secretList(env.SESSION_SECRET), jwtSecrets: secretList(env.JWT_SECRET), logger });
 */
export function openSessionBridge(options: OpenSessionBridgeOptions): SessionBridge {
  const clock = options.clock ?? Date.now;
  const tokens = createTokenService(options.jwtSecrets, clock);
  const db = openDatabase(options.databasePath);
  const sessions = createSqliteBridgeSessions(db, options.logger, clock);
  const bridge = createSessionBridge(options, { sessions, tokens, logger: options.logger, clock });
  return {
    ...bridge,
    async close() {
      await bridge.close?.();
      db.close();
    },
  };
}
