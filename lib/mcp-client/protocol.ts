// What the MCP server and its clients must agree on: the tool, the headers, and approval grants.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AUDIENCE, ISSUER, keyId } from '../tokens.js';

/** The tool both backends call. */
export const TERMINAL_TOOL = 'terminal_command';
/** Where an approval grant travels in a tools/call request: `params._meta["strangler/approval"]`. */
export const APPROVAL_META_KEY = 'strangler/approval';
export const APPROVAL_GRANT_TYP = 'approval+jwt';
/** A grant lives at most this long (SECURITY T7). */
export const MAX_GRANT_TTL_SEC = 300;
/** Header a service-token caller uses to say on whose behalf it acts. */
export const ACTING_USER_HEADER = 'X-Acting-User-Id';

/** SHA-256 (hex) of the exact argv JSON, as the server computes it and a grant binds it. */
export function argvSha256(argv: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(argv)).digest('hex');
}

export interface GrantRequest {
  /** JWT_SECRET as a list (secretList): the first signs. */
  readonly secrets: readonly string[];
  /** The user the command belongs to (who asked to run it). */
  readonly userId: number | string;
  /** From the approval_required result: argvSha256 of the argv the admin saw. */
  readonly argvSha256: string;
  /** From the approval_required result: the working directory, relative to the workspace. */
  readonly cwd: string;
  /** The admin who approved. The server checks this user is an admin right now. */
  readonly approverId: number | string;
  /** Seconds, at most 300. */
  readonly ttlSec?: number;
}

/**
 * Mints the single-use approval grant an admin's approval turns into: a short JWT
 * (HS256 with the JWT secret, `typ: approval+jwt`, `aud: urn:strangler:mcp`) bound to
 * the user, the exact argv hash and the cwd. Pass it as `approvalGrant` to `run`.
 *
 * @example
 * const grant = await mintApprovalGrant({ secrets: secretList(env.JWT_SECRET), userId: 7,
 *   argvSha256: pending.argvSha256, cwd: pending.cwd, approverId: admin.id });
 */
export async function mintApprovalGrant(request: GrantRequest): Promise<string> {
  const secret = request.secrets[0];
  if (!secret) throw new Error('JWT_SECRET is not set');
  const now = Math.floor(Date.now() / 1000);
  const ttl = Math.max(1, Math.min(request.ttlSec ?? MAX_GRANT_TTL_SEC, MAX_GRANT_TTL_SEC));
  return new SignJWT({ argv_sha256: request.argvSha256, cwd: request.cwd, approver: String(request.approverId) })
    .setProtectedHeader({ alg: 'HS256', typ: APPROVAL_GRANT_TYP, kid: keyId(secret) })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE.mcp)
    .setSubject(String(request.userId))
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(new TextEncoder().encode(secret));
}
