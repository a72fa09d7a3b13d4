import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ACTING_USER_HEADER } from '../../../../lib/mcp-client/protocol.js';
import { AUDIENCE, type TokenService } from '../../../../lib/tokens.js';
import { serviceIdentity, type Identity } from '../identity/identity.js';
import type { UserDirectory } from '../identity/user-directory.js';

export interface AuthDeps {
  /** MCP_TOKEN values (a list allows rotation): the service credential. */
  readonly serviceTokens: readonly string[];
  /** Verifies access tokens; only `aud: urn:strangler:mcp` is accepted (M6). */
  readonly tokens: Pick<TokenService, 'verify'>;
  readonly users: Pick<UserDirectory, 'findUser' | 'isRevoked'>;
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; status: 401 | 403 | 503; message: string };

const USER_ID = /^[1-9][0-9]{0,14}$/;
const BEARER = /^Bearer ([\x21-\x7e]+)$/;

/**
 * Who sent this request (M5, M6, M7), from headers only — never a cookie, never the URL.
 * The service token (compared in constant time) may assert an acting user, whose role is
 * read fresh from the shared database; an access token must be minted for the MCP
 * audience, unrevoked, and its user must still exist.
 */
export async function authenticate(headers: IncomingHttpHeaders, deps: AuthDeps): Promise<AuthResult> {
  const header = headers.authorization;
  if (!header) return deny(401, 'Missing bearer token: send Authorization: Bearer <MCP_TOKEN> (or an access token for urn:strangler:mcp)');
  const token = BEARER.exec(header)?.[1];
  if (!token) return deny(401, 'Malformed Authorization header: send Authorization: Bearer <token>');
  const acting = headers[ACTING_USER_HEADER.toLowerCase()];

  if (matchesAny(token, deps.serviceTokens)) {
    if (acting === undefined) return { ok: true, identity: serviceIdentity(undefined) };
    if (typeof acting !== 'string' || !USER_ID.test(acting)) return deny(401, `${ACTING_USER_HEADER} must be one user id (a positive integer)`);
    const found = deps.users.findUser(Number(acting));
    if (!found.ok) return deny(503, found.reason);
    if (!found.user) return deny(403, `Acting user ${acting} does not exist`);
    return { ok: true, identity: serviceIdentity(found.user) };
  }

  const verified = await deps.tokens.verify(token, AUDIENCE.mcp);
  if (!verified.ok) return deny(401, `Invalid bearer token (${verified.reason}): use MCP_TOKEN or an access token minted for urn:strangler:mcp`);
  if (acting !== undefined) return deny(403, `Only the service token may assert ${ACTING_USER_HEADER}`);
  const revoked = deps.users.isRevoked(verified.claims.jti, Number(verified.claims.sub), verified.claims.iat);
  if (!revoked.ok) return deny(503, revoked.reason);
  if (revoked.revoked) return deny(401, 'Invalid bearer token (revoked): sign in again');
  const found = deps.users.findUser(Number(verified.claims.sub));
  if (!found.ok) return deny(503, found.reason);
  if (!found.user) return deny(401, 'Invalid bearer token (its user no longer exists)');
  return { ok: true, identity: Object.freeze({ key: `user:${found.user.id}`, via: 'access-token', userId: found.user.id, role: found.user.role }) };
}

function deny(status: 401 | 403 | 503, message: string): AuthResult {
  return { ok: false, status, message };
}

function matchesAny(token: string, secrets: readonly string[]): boolean {
  const digest = sha256(token);
  let match = false;
  // Every secret is compared, whatever matched first: no early exit to time.
  for (const secret of secrets) match = timingSafeEqual(digest, sha256(secret)) || match;
  return match;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
