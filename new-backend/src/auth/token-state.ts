import type { Kysely } from 'kysely';
import { CLOCK_TOLERANCE_SEC, ISSUER } from '../../../lib/tokens.js';
import type { Database } from '../db/schema.js';

/**
 * Revocation state every verifier of access tokens shares through the database (J8, J9):
 * the denylist keyed by (iss, jti), and per-user tokens-valid-after. Times are epoch seconds.
 */
export interface TokenState {
  /** Denylists one access token until it could no longer verify anyway (exp + clock tolerance). */
  revoke(jti: string, exp: number): Promise<void>;
  /** Refuses every token of the user issued before now; returns the new tokens-valid-after. */
  invalidateUser(userId: number): Promise<number>;
  /** The user's tokens-valid-after, 0 when never set. */
  validAfter(userId: number): Promise<number>;
}

export function createTokenState(db: Kysely<Database>, clock: () => number = Date.now): TokenState {
  const nowSec = () => Math.floor(clock() / 1000);
  return {
    async revoke(jti, exp) {
      const now = nowSec();
      await db.insertInto('revoked_tokens')
        .values({ iss: ISSUER, jti, expires_at: exp + CLOCK_TOLERANCE_SEC })
        .onConflict((oc) => oc.columns(['iss', 'jti']).doNothing())
        .execute();
      // Rows are only useful while the token could still verify; pruning here needs no timer.
      await db.deleteFrom('revoked_tokens').where('expires_at', '<', now).execute();
    },
    async invalidateUser(userId) {
      // iat has one-second resolution: every token of this second or before is refused, and
      // minting passes this value as issuedAtLeast so the next token is not.
      const validAfter = nowSec() + 1;
      await db.insertInto('user_token_state')
        .values({ user_id: userId, tokens_valid_after: validAfter })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ tokens_valid_after: validAfter }))
        .execute();
      return validAfter;
    },
    async validAfter(userId) {
      const row = await db.selectFrom('user_token_state').select('tokens_valid_after').where('user_id', '=', userId).executeTakeFirst();
      return row?.tokens_valid_after ?? 0;
    },
  };
}
