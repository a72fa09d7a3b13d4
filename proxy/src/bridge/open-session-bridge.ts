import { ConfigError } from '../../../lib/env.js';
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
  const problems = secretProblems(options.sessionSecrets, options.jwtSecrets);
  if (problems.length) throw new ConfigError(problems);
  const clock = options.clock ?? Date.now;
  const tokens = createTokenService(options.jwtSecrets, clock);
  const db = openDatabase(options.databasePath);
  const sessions = createSqliteBridgeSessions(db, options.logger, clock);
  const bridge = createSessionBridge(options, { sessions, tokens, logger: options.logger, clock });
  let closed = false;
  return {
    ...bridge,
    async close() {
      if (closed) return;
      closed = true;
      await bridge.close?.();
      db.close();
    },
  };
}

/** What the bridge refuses to start with (SECURITY J5): the fix is in each message. */
export function secretProblems(sessionSecrets: readonly string[], jwtSecrets: readonly string[]): string[] {
  const problems: string[] = [];
  if (sessionSecrets.length === 0) problems.push('SESSION_SECRET is empty: set the same secret(s) the legacy app uses');
  if (jwtSecrets.length === 0) problems.push('JWT_SECRET is empty: set the same secret(s) the new backend uses');
  for (const secret of jwtSecrets) {
    if (Buffer.byteLength(secret) < 32) problems.push('a JWT_SECRET entry is shorter than 32 bytes: generate one with `openssl rand -base64 48`');
    if (sessionSecrets.includes(secret)) problems.push('a JWT_SECRET entry is also a SESSION_SECRET: the two must differ');
  }
  return problems;
}
