import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { accessTokenChecks, AUDIENCE, toClaims, type TokenService, type VerifyResult } from './tokens.js';

export interface BridgedTokens {
  /** The `aud` the proxy mints for this backend (routes.yaml `audience`, default `strangler:new`). */
  readonly audience: string;
  /** The proxy's public keys: a remote JWKS (`GET /__proxy/jwks.json`) or any jose key getter. */
  readonly keys?: JWTVerifyGetKey;
}

/**
 * How the new backend checks a bearer token: its own tokens (HS256 over JWT_SECRET, from
 * `/auth/token` and logins) and the tokens the proxy's bridge mints for it — EdDSA or ES256
 * against the proxy's JWKS, or HS256 when routes.yaml says `tokens: { alg: HS256 }`. The
 * algorithm in the header only picks which check runs; each check pins its own algorithms,
 * so `alg: none` or an HS256 token signed with a public key is refused (J1).
 */
export function createAccessVerifier(tokens: TokenService, bridged: BridgedTokens, clock: () => number = Date.now) {
  const audiences = [AUDIENCE.newBackend, bridged.audience];
  return async function verifyAccess(token: string): Promise<VerifyResult> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return { ok: false, reason: 'malformed token' };
    }
    if (alg === 'HS256') return tokens.verify(token, audiences);
    if (alg !== 'EdDSA' && alg !== 'ES256') return { ok: false, reason: `algorithm ${String(alg)} not accepted` };
    if (!bridged.keys) return { ok: false, reason: 'no JWKS configured for bridged tokens' };
    try {
      const { payload } = await jwtVerify(token, bridged.keys, accessTokenChecks(['EdDSA', 'ES256'], bridged.audience, clock));
      return toClaims(payload);
    } catch (err) {
      return { ok: false, reason: err instanceof errors.JOSEError ? err.code : 'invalid token' };
    }
  };
}

export type VerifyAccess = ReturnType<typeof createAccessVerifier>;

/**
 * A remote JWKS whose URL is known only later (a test's proxy gets its port after the
 * backend starts): jose's cache and rate limits, created on first use.
 */
export function lazyRemoteJwks(url: () => string): JWTVerifyGetKey {
  let remote: ReturnType<typeof createRemoteJWKSet> | undefined;
  return (header, token) => (remote ??= createRemoteJWKSet(new URL(url()), { cooldownDuration: 5_000 }))(header, token);
}
