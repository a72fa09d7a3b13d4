import type { IncomingMessage } from 'node:http';
import { sql } from 'kysely';
import { ISSUER } from '../../../lib/tokens.js';
import type { SocketIdentity } from '../../../lib/mcp-commands/command-socket.js';
import type { NewBackendContext } from '../new-backend-context.js';

/**
 * A WebSocket upgrade's `Authorization: Bearer` (the proxy's bridge adds it, as on every
 * request to this backend), verified completely. Later checks ask whether the token was
 * revoked, the user's tokens invalidated, the user deleted or (for a bridged token) its
 * legacy session ended — not whether it expired:
 * a socket outlives its 15-minute token, as a session cookie outlives a request.
 */
/** Whether one of the user's live legacy sessions is the one the token's `sid` tag names. */
async function legacySessionLive(ctx: NewBackendContext, userId: number, tag: string): Promise<boolean> {
  const { rows } = await sql<{ sid: string }>`SELECT sid FROM sessions WHERE json_extract(sess, '$.userId') = ${userId} AND expires_at > ${Date.now()}`.execute(ctx.db);
  return rows.some((r) => ctx.tokens.sessionTag(r.sid) === tag);
}

export async function bearerSocketIdentity(ctx: NewBackendContext, req: IncomingMessage): Promise<SocketIdentity | undefined> {
  const result = await ctx.authenticate(req.headers.authorization);
  if (!result.ok) return undefined;
  const { user, claims } = result.auth;
  return {
    actor: { id: user.id, role: user.role },
    async recheck() {
      const row = await ctx.db
        .selectFrom('users')
        .leftJoin('user_token_state', 'user_token_state.user_id', 'users.id')
        .select(['users.id', 'users.role', 'user_token_state.tokens_valid_after'])
        .select((eb) => eb.exists(eb.selectFrom('revoked_tokens').select('jti').where('iss', '=', ISSUER).where('jti', '=', claims.jti)).as('revoked'))
        .where('users.id', '=', user.id)
        .executeTakeFirst();
      if (!row || row.revoked || claims.iat < (row.tokens_valid_after ?? 0)) return undefined;
      // A token the bridge minted from a legacy session stands for that session: once it is
      // gone (a logout on either side, a password change elsewhere), so is the socket.
      if (claims.sid !== undefined && !(await legacySessionLive(ctx, user.id, claims.sid))) return undefined;
      return { id: row.id, role: row.role };
    },
  };
}
