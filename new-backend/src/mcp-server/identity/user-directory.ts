import { existsSync } from 'node:fs';
import { openDatabase, type SqliteDatabase } from '../../../../lib/sqlite.js';
import { createRevocationCheck, type RevocationCheck } from '../../../../lib/token-revocation.js';

export interface DirectoryUser {
  readonly id: number;
  readonly role: 'admin' | 'user';
}

export type UserLookup = { ok: true; user: DirectoryUser | undefined } | { ok: false; reason: string };
export type RevocationLookup = { ok: true; revoked: boolean } | { ok: false; reason: string };

/** The narrow view of the shared database the MCP server needs: read-only, users and revocations. */
export interface UserDirectory {
  findUser(id: number): UserLookup;
  /** Whether an access token is revoked: its jti denylisted, or issued (`iat`) before the user's tokens-valid-after (J8, J9). */
  isRevoked(jti: string, userId: number, iat: number): RevocationLookup;
  close(): void;
}

/**
 * Opens the shared database (DATABASE_PATH) read-only, lazily: the MCP server may start
 * before the backends have created it. A role is always read fresh, so an admin demoted
 * or deleted a second ago is not trusted.
 */
export function createUserDirectory(path: string): UserDirectory {
  let db: SqliteDatabase | undefined;
  let revocation: RevocationCheck | undefined;
  const open = (): SqliteDatabase | undefined => {
    if (db) return db;
    if (path !== ':memory:' && !existsSync(path)) return undefined;
    db = openDatabase(path, { readonly: true });
    revocation = createRevocationCheck(db);
    return db;
  };
  const unavailable = (err?: unknown) => ({
    ok: false as const,
    reason: `the user database ${path} is not available${err instanceof Error ? ` (${err.message})` : ''}: start a backend first or set DATABASE_PATH`,
  });

  return {
    findUser(id) {
      try {
        const conn = open();
        if (!conn) return unavailable();
        const row = conn.prepare('SELECT id, role FROM users WHERE id = ?').get(id) as { id: number; role: string } | undefined;
        if (!row) return { ok: true, user: undefined };
        return { ok: true, user: { id: row.id, role: row.role === 'admin' ? 'admin' : 'user' } };
      } catch (err) {
        return unavailable(err);
      }
    },
    isRevoked(jti, userId, iat) {
      try {
        if (!open() || !revocation) return unavailable();
        return { ok: true, revoked: revocation.isRevoked(jti) || iat < revocation.validAfter(userId) };
      } catch (err) {
        return unavailable(err);
      }
    },
    close() {
      db?.close();
      db = undefined;
      revocation = undefined;
    },
  };
}
