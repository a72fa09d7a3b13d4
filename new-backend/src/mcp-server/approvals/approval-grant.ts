import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { APPROVAL_GRANT_TYP, MAX_GRANT_TTL_SEC } from '../../../../lib/mcp-client/protocol.js';
import { AUDIENCE, ISSUER, keyId } from '../../../../lib/tokens.js';
import type { UserDirectory } from '../identity/user-directory.js';

export interface GrantBinding {
  readonly userId: number;
  readonly argvSha256: string;
  readonly cwd: string;
}

export type GrantCheck = { ok: true; approverId: number; jti: string; expiresAt: number } | { ok: false; rule: string; reason: string };

export interface GrantDeps {
  readonly secrets: readonly string[];
  readonly users: Pick<UserDirectory, 'findUser'>;
  /** Marks a jti used; false when it was used before (single use). */
  readonly claim: (jti: string, userId: number, expiresAt: number) => boolean;
  readonly clock?: () => number;
}

/**
 * Verifies an approval grant (T7): signed with a configured JWT secret (kid lookup,
 * HS256 pinned), `typ: approval+jwt`, our issuer and audience, at most 5 minutes long,
 * unexpired, issued for exactly this user, argv hash and cwd, approved by someone who is
 * an admin now, and never used before. The server never approves anything itself.
 */
export function createGrantVerifier(deps: GrantDeps) {
  const keys = new Map(deps.secrets.map((s) => [keyId(s), new TextEncoder().encode(s)]));
  const clock = deps.clock ?? Date.now;

  return async function verifyGrant(grant: string, expected: GrantBinding): Promise<GrantCheck> {
    const refuse = (what: string, reason: string): GrantCheck => ({ ok: false, rule: `approval:${what}`, reason: `The approval cannot be used: ${reason}` });
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(grant).kid;
    } catch {
      return refuse('invalid', 'it is not a grant');
    }
    const key = kid === undefined ? undefined : keys.get(kid);
    if (!key) return refuse('invalid', 'it was signed with an unknown key');
    let payload;
    try {
      ({ payload } = await jwtVerify(grant, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE.mcp,
        typ: APPROVAL_GRANT_TYP,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'argv_sha256', 'cwd', 'approver'],
        maxTokenAge: MAX_GRANT_TTL_SEC + 30,
        clockTolerance: 30,
        currentDate: new Date(clock()),
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) return refuse('expired', 'it has expired: approve the command again');
      return refuse('invalid', err instanceof errors.JOSEError ? err.code : 'it is not valid');
    }
    const exp = payload.exp as number;
    const iat = payload.iat as number;
    if (exp - iat > MAX_GRANT_TTL_SEC) return refuse('invalid', `it lives longer than ${MAX_GRANT_TTL_SEC} s`);
    if (payload.sub !== String(expected.userId)) return refuse('mismatch', 'it was given for another user');
    if (payload.argv_sha256 !== expected.argvSha256) return refuse('mismatch', 'it was given for a different command');
    if (payload.cwd !== expected.cwd) return refuse('mismatch', 'it was given for a different working directory');
    const approverId = Number(payload.approver);
    if (!Number.isInteger(approverId) || approverId <= 0) return refuse('invalid', 'it names no approver');
    const approver = deps.users.findUser(approverId);
    if (!approver.ok) return refuse('unverifiable', approver.reason);
    if (approver.user?.role !== 'admin') return refuse('not-admin', `user ${approverId} is not an admin`);
    const jti = payload.jti as string;
    if (!deps.claim(jti, expected.userId, exp)) return refuse('reused', 'it was already used: each approval runs the command once');
    return { ok: true, approverId, jti, expiresAt: exp };
  };
}

export type GrantVerifier = ReturnType<typeof createGrantVerifier>;
