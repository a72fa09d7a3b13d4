import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { CLOCK_TOLERANCE_SEC, ISSUER } from '../../../lib/tokens.js';
import type { Database } from '../db/schema.js';

export const REFRESH_TTL_SEC = 7 * 24 * 3600;
export const REFRESH_FAMILY_TTL_SEC = 30 * 24 * 3600;

/** The access token a refresh token is issued alongside: logout and replay find the family by it. */
export interface IssuedAccess {
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

export type RotateResult =
  | { ok: true; userId: number; familyId: string; familyExpiresAt: number }
  | { ok: false; reason: 'unknown' | 'replayed' | 'revoked' | 'expired' | 'stale' };

export interface RefreshTokens {
  /**
   * A new opaque token (256 random bits, base64url); only its sha256 is stored. Undefined
   * when `family` has been revoked meanwhile.
   */
  issue(userId: number, access: IssuedAccess, family?: { id: string; expiresAt: number }): Promise<{ token: string; expiresAt: number } | undefined>;
  /**
   * Spends a token, once. Presenting a spent one again revokes its whole family (and
   * denylists the access tokens issued with it): a stolen token and the real one cannot
   * both keep working (J7). A token issued before the user's tokens-valid-after is stale.
   */
  spend(token: string, validAfter: (userId: number) => Promise<number>): Promise<RotateResult>;
  /** The family an access token was issued with, revoked; no-op for tokens from /auth/login or the bridge. */
  revokeByAccessJti(jti: string): Promise<void>;
  /** The family of a refresh token, revoked (logout with the token in hand). */
  revoke(token: string): Promise<void>;
  revokeAllForUser(userId: number): Promise<void>;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createRefreshTokens(
  db: Kysely<Database>,
  options: { clock?: () => number; ttlSec?: number; familyTtlSec?: number } = {},
): RefreshTokens {
  const clock = options.clock ?? Date.now;
  const ttl = options.ttlSec ?? REFRESH_TTL_SEC;
  const familyTtl = options.familyTtlSec ?? REFRESH_FAMILY_TTL_SEC;
  const nowSec = () => Math.floor(clock() / 1000);

  async function revokeFamily(familyId: string): Promise<void> {
    const now = nowSec();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
      // The family's access tokens still inside their 15 minutes go too.
      await sql`INSERT OR IGNORE INTO revoked_tokens (iss, jti, expires_at)
        SELECT ${ISSUER}, access_jti, access_expires_at + ${CLOCK_TOLERANCE_SEC} FROM refresh_tokens
        WHERE family_id = ${familyId} AND access_expires_at + ${CLOCK_TOLERANCE_SEC} >= ${now}`.execute(trx);
    });
  }

  return {
    async issue(userId, access, family) {
      const now = nowSec();
      const token = randomBytes(32).toString('base64url');
      const familyExpiresAt = family?.expiresAt ?? now + familyTtl;
      const expiresAt = Math.min(now + ttl, familyExpiresAt);
      const familyId = family?.id ?? randomUUID();
      // Conditional on the family being alive, in one statement: a replay that revokes the
      // family while this rotation is in flight either lands first (nothing is inserted) or
      // after (and revokes this row too). Never a live token in a dead family.
      const inserted = await sql`
        INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at, family_expires_at, access_jti, access_expires_at)
        SELECT ${hashRefreshToken(token)}, ${familyId}, ${userId}, ${access.iat}, ${expiresAt}, ${familyExpiresAt}, ${access.jti}, ${access.exp}
        WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ${familyId} AND revoked_at IS NOT NULL)`.execute(db);
      if (inserted.numAffectedRows !== 1n) return undefined;
      // Expired rows can never be spent again; dropping them here needs no timer.
      await db.deleteFrom('refresh_tokens').where('family_expires_at', '<', now).execute();
      return { token, expiresAt };
    },

    async spend(token, validAfter) {
      const now = nowSec();
      const hash = hashRefreshToken(token);
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.used_at !== null) {
        await revokeFamily(row.family_id);
        return { ok: false, reason: 'replayed' };
      }
      if (row.expires_at <= now) return { ok: false, reason: 'expired' };
      if (row.issued_at < (await validAfter(row.user_id))) {
        await revokeFamily(row.family_id);
        return { ok: false, reason: 'stale' };
      }
      // The claim is one conditional UPDATE: of two requests racing with the same token, one wins
      // and the other is a replay.
      const claimed = await db.updateTable('refresh_tokens').set({ used_at: now })
        .where('token_hash', '=', hash).where('used_at', 'is', null).where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) {
        await revokeFamily(row.family_id);
        return { ok: false, reason: 'replayed' };
      }
      return { ok: true, userId: row.user_id, familyId: row.family_id, familyExpiresAt: row.family_expires_at };
    },

    async revokeByAccessJti(jti) {
      const row = await db.selectFrom('refresh_tokens').select('family_id').where('access_jti', '=', jti).executeTakeFirst();
      if (row) await revokeFamily(row.family_id);
    },

    async revoke(token) {
      const row = await db.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', hashRefreshToken(token)).executeTakeFirst();
      if (row) await revokeFamily(row.family_id);
    },

    async revokeAllForUser(userId) {
      await db.updateTable('refresh_tokens').set({ revoked_at: nowSec() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    },
  };
}
