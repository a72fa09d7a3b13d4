import type { SqliteDatabase } from './sqlite.js';
import { ISSUER } from './tokens.js';

/**
 * The shared revocation state, read synchronously from the shared SQLite file: what every
 * verifier of access tokens besides the new backend (the proxy's bridge, the MCP server)
 * checks after `verify()` (SECURITY J8, J9). The new backend's migrations create the
 * tables; until they exist nothing is revoked.
 */
export interface RevocationCheck {
  /** True when the token (by its jti, under our issuer) is on the denylist. */
  isRevoked(jti: string): boolean;
  /**
   * Epoch seconds; tokens of this user with an earlier `iat` are refused. Pass it as
   * `issuedAtLeast` when minting for the user, so a token minted in the second of a
   * password change is not refused, and re-mint a cached token whose iat is below it.
   */
  validAfter(userId: number | string): number;
}

/** @example const revocation = createRevocationCheck(openDatabase(path)); if (revocation.isRevoked(claims.jti)) … */
export function createRevocationCheck(db: SqliteDatabase): RevocationCheck {
  let statements: { revoked: ReturnType<typeof prepareRevoked>; validAfter: ReturnType<typeof prepareValidAfter> } | undefined;
  const ready = () => {
    if (statements) return statements;
    try {
      statements = { revoked: prepareRevoked(db), validAfter: prepareValidAfter(db) };
    } catch {
      // Tables not there yet (the new backend has never migrated this file): nothing is revoked.
    }
    return statements;
  };
  return {
    isRevoked: (jti) => ready()?.revoked.get(ISSUER, jti, Math.floor(Date.now() / 1000)) !== undefined,
    validAfter: (userId) => ready()?.validAfter.get(Number(userId))?.tokens_valid_after ?? 0,
  };
}

function prepareRevoked(db: SqliteDatabase) {
  return db.prepare<[string, string, number], { one: number }>('SELECT 1 AS one FROM revoked_tokens WHERE iss = ? AND jti = ? AND expires_at >= ?');
}

function prepareValidAfter(db: SqliteDatabase) {
  return db.prepare<[number], { tokens_valid_after: number }>('SELECT tokens_valid_after FROM user_token_state WHERE user_id = ?');
}
