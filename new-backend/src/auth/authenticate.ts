import type { Kysely } from 'kysely';
import type { RequestHandler, Response } from 'express';
import type { VerifyAccess } from '../../../lib/access-verifier.js';
import { ISSUER, type AccessClaims } from '../../../lib/tokens.js';
import type { Database } from '../db/schema.js';
import { MESSAGES } from '../http/messages.js';
import { sendError } from '../../../lib/http/send-error.js';
import { toPublicUser, type PublicUser } from '../users/user-repository.js';

export interface Authenticated {
  /** Read fresh from `users`: the role here, never the token's, decides (a demoted admin loses admin at once). */
  readonly user: PublicUser;
  readonly claims: AccessClaims;
}

export type AuthResult = { ok: true; auth: Authenticated } | { ok: false; reason: string };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Bearer authentication, in the order that costs least first: signature and claims
 * (lib/tokens), then one query for the denylist, the user's tokens-valid-after and the
 * user. Cookies and query strings are never read: no sessions here (M5, J8, J9).
 */
export function createAuthenticator(db: Kysely<Database>, verifyToken: VerifyAccess) {
  async function authenticate(header: string | undefined): Promise<AuthResult> {
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match?.[1]) return { ok: false, reason: 'no bearer token' };
    const verified = await verifyToken(match[1]);
    if (!verified.ok) return verified;
    const { claims } = verified;
    const row = await db
      .selectFrom('users')
      .leftJoin('user_token_state', 'user_token_state.user_id', 'users.id')
      .select(['users.id', 'users.username', 'users.name', 'users.email', 'users.role', 'user_token_state.tokens_valid_after'])
      .select((eb) => eb.exists(eb.selectFrom('revoked_tokens').select('jti').where('iss', '=', ISSUER).where('jti', '=', claims.jti)).as('revoked'))
      .where('users.id', '=', Number(claims.sub))
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'user gone' };
    if (row.revoked) return { ok: false, reason: 'revoked' };
    if (claims.iat < (row.tokens_valid_after ?? 0)) return { ok: false, reason: 'issued before tokens-valid-after' };
    return { ok: true, auth: { user: toPublicUser(row), claims } };
  }

  /** 401 `Not authenticated` and nothing else for any failure; the reason goes to the log only. */
  const requireUser: RequestHandler = async (req, res, next) => {
    const result = await authenticate(req.headers.authorization);
    if (!result.ok) {
      req.log?.debug({ reason: result.reason }, 'bearer refused');
      sendError(res, 401, MESSAGES.notAuthenticated);
      return;
    }
    res.locals.auth = result.auth;
    next();
  };

  /** After requireUser: admins only, else 403. */
  const requireAdmin: RequestHandler = (_req, res, next) => {
    if (currentAuth(res).user.role !== 'admin') {
      sendError(res, 403, MESSAGES.forbidden);
      return;
    }
    next();
  };

  return { authenticate, requireUser, requireAdmin, verifyToken };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

/** What requireUser established for this request. */
export function currentAuth(res: Response): Authenticated {
  const auth = res.locals.auth as Authenticated | undefined;
  if (!auth) throw new Error('currentAuth() called on a route without requireUser');
  return auth;
}
