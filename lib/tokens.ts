import { createHash, createHmac, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyOptions } from 'jose';

/** Audiences: each consumer accepts only tokens minted for it (SECURITY J6, M6). */
export const AUDIENCE = {
  newBackend: 'urn:strangler:new-backend',
  mcp: 'urn:strangler:mcp',
} as const;
export type Audience = (typeof AUDIENCE)[keyof typeof AUDIENCE];

export const ISSUER = 'urn:strangler:auth';
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const MAX_ACCESS_TTL_SEC = 15 * 60;
/** Clock skew every verifier tolerates; a denylist row must outlive `exp` by this much. */
export const CLOCK_TOLERANCE_SEC = 30;
const ALG = 'HS256';
const MIN_SECRET_BYTES = 32;

export interface AccessClaims {
  readonly sub: string;
  readonly role: 'admin' | 'user';
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  /** The audience the token was accepted for. */
  readonly aud: string;
  /** HMAC of the legacy session id, on tokens the bridge mints (never the raw id). */
  readonly sid?: string;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: string };

export interface MintOptions {
  readonly sub: string | number;
  readonly role: 'admin' | 'user';
  readonly audience: Audience;
  /** Seconds; capped at 15 minutes. */
  readonly ttlSec?: number;
  /** Absolute expiry in epoch seconds; the token expires at the earlier of this and now + ttl. */
  readonly notAfter?: number;
  readonly sid?: string;
  /**
   * Epoch seconds: the lowest `iat` the token may carry. Pass the user's tokens-valid-after
   * so a token minted in the same second as a password change is not judged older than it.
   */
  readonly issuedAtLeast?: number;
}

/**
 * Mints and verifies access tokens: HS256 pinned, `kid` an exact lookup among the
 * configured secrets (the first signs, all verify: rotation without logouts), `iss`,
 * `aud`, `typ` checked, `exp`/`iat`/`sub`/`jti` required, 30 s clock tolerance.
 * Revocation (jti denylist, tokens-valid-after) is the verifier's caller's job: it needs
 * the database.
 *
 * @example
 * const tokens = createTokenService(['a-secret-of-at-least-32-bytes…']);
 * const { token } = await tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend });
 * const result = await tokens.verify(token, AUDIENCE.newBackend);
 */
export function createTokenService(secrets: readonly string[], clock: () => number = Date.now) {
  if (secrets.length === 0) throw new Error('JWT_SECRET is not set');
  const keys = new Map<string, Uint8Array>();
  for (const secret of secrets) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes: generate one with \`openssl rand -base64 48\``);
    }
    keys.set(keyId(secret), new TextEncoder().encode(secret));
  }
  const signingKid = keyId(secrets[0] as string);
  const signingKey = keys.get(signingKid) as Uint8Array;

  async function mint(options: MintOptions): Promise<{ token: string; claims: AccessClaims }> {
    const now = Math.floor(clock() / 1000);
    // Raised at most to the edge of the verifiers' tolerance, so it can never mint a token they refuse.
    const iat = Math.max(now, Math.min(options.issuedAtLeast ?? now, now + CLOCK_TOLERANCE_SEC - 1));
    const ttl = Math.min(options.ttlSec ?? MAX_ACCESS_TTL_SEC, MAX_ACCESS_TTL_SEC);
    const exp = Math.min(iat + ttl, options.notAfter ?? Number.POSITIVE_INFINITY);
    const claims: AccessClaims = {
      sub: String(options.sub),
      role: options.role,
      jti: randomUUID(),
      iat,
      exp,
      aud: options.audience,
      ...(options.sid ? { sid: options.sid } : {}),
    };
    const { sub, jti, aud, iat: _iat, exp: _exp, ...rest } = claims;
    const token = await new SignJWT({ ...rest })
      .setProtectedHeader({ alg: ALG, typ: ACCESS_TOKEN_TYP, kid: signingKid })
      .setIssuer(ISSUER)
      .setSubject(sub)
      .setAudience(aud)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(signingKey);
    return { token, claims };
  }

  /** `audience` may list several: the token's must be one of them (the new backend's own, and the bridge's for it). */
  async function verify(token: string, audience: Audience | readonly string[]): Promise<VerifyResult> {
    const found = secretKeyFor(token, keys);
    if (!found.ok) return found;
    const { key } = found;
    try {
      const { payload } = await jwtVerify(token, key, accessTokenChecks([ALG], typeof audience === 'string' ? audience : [...audience], clock));
      return toClaims(payload);
    } catch (err) {
      return { ok: false, reason: err instanceof errors.JOSEError ? err.code : 'invalid token' };
    }
  }

  /** HMAC of a legacy session id, so tokens can be tied to a session without carrying it. */
  function sessionTag(sid: string): string {
    return createHmac('sha256', signingKey).update(`sid:${sid}`).digest('base64url');
  }

  return { mint, verify, sessionTag };
}

export type TokenService = ReturnType<typeof createTokenService>;

/**
 * What every access-token check here pins: the algorithms, issuer, audience and type, the
 * claims a token must carry, a lifetime of at most 15 minutes, and the clock tolerance.
 */
export function accessTokenChecks(algorithms: string[], audience: string | string[], clock: () => number, requiredClaims = ['exp', 'iat', 'sub', 'jti']): JWTVerifyOptions {
  return {
    algorithms,
    issuer: ISSUER,
    audience,
    typ: ACCESS_TOKEN_TYP,
    requiredClaims,
    maxTokenAge: MAX_ACCESS_TTL_SEC + CLOCK_TOLERANCE_SEC,
    clockTolerance: CLOCK_TOLERANCE_SEC,
    currentDate: new Date(clock()),
  };
}

/** The claims the reference backends act on: a numeric subject, an admin/user role, a jti, at most 15 minutes of life. */
export function toClaims(payload: JWTPayload): VerifyResult {
  const role = payload.role;
  if (role !== 'admin' && role !== 'user') return { ok: false, reason: 'missing role' };
  if (typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) return { ok: false, reason: 'bad subject' };
  if (typeof payload.jti !== 'string' || payload.jti === '') return { ok: false, reason: 'bad jti' };
  const { iat, exp } = payload as { iat: number; exp: number };
  // jose bounds the age from iat, not the lifetime: a validly signed week-long token is still refused.
  if (exp - iat > MAX_ACCESS_TTL_SEC) return { ok: false, reason: 'lifetime over 15 minutes' };
  return {
    ok: true,
    claims: {
      sub: payload.sub,
      role,
      jti: payload.jti,
      iat,
      exp,
      aud: Array.isArray(payload.aud) ? String(payload.aud[0]) : String(payload.aud),
      ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
    },
  };
}

/** The HS256 key a token's `kid` names among the configured secrets: an exact lookup, never a guess. */
export function secretKeyFor(token: string, keys: ReadonlyMap<string, Uint8Array>): { ok: true; key: Uint8Array } | { ok: false; reason: string } {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  const key = kid === undefined ? undefined : keys.get(kid);
  return key ? { ok: true, key } : { ok: false, reason: 'unknown key id' };
}

/** A key id that names a secret without revealing it. */
export function keyId(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 12);
}
