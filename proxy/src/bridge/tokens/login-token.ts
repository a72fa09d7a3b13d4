import { errors, jwtVerify } from 'jose';
import { accessTokenChecks, AUDIENCE, keyId, secretKeyFor } from '../../../../lib/tokens.js';

export type LoginTokenResult =
  | { ok: true; sub: string; claims: Record<string, unknown> }
  | { ok: false; reason: string };

const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sid']);

/**
 * Checks the `X-Auth-Token` a jwt backend answers a login with (DESIGN §6): HS256 over the
 * JWT_SECRET the proxy shares with it, `kid` an exact lookup, issuer and type fixed, and an
 * audience that is the backend's own (its `audience` in routes.yaml, or the reference new
 * backend's). Returns the subject and its other claims, which a store source writes into
 * the new legacy session where routes.yaml maps them.
 */
export function createLoginTokenVerifier(secrets: readonly string[], clock: () => number = Date.now) {
  const keys = new Map(secrets.map((s) => [keyId(s), new TextEncoder().encode(s)]));
  return async function verifyLoginToken(token: string, audience: string | undefined): Promise<LoginTokenResult> {
    const found = secretKeyFor(token, keys);
    if (!found.ok) return found;
    try {
      const { payload } = await jwtVerify(token, found.key, accessTokenChecks(['HS256'], audience ? [AUDIENCE.newBackend, audience] : AUDIENCE.newBackend, clock, ['exp', 'iat', 'sub']));
      if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, reason: 'bad subject' };
      const claims: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(payload)) if (!REGISTERED.has(name)) claims[name] = value;
      return { ok: true, sub: payload.sub, claims };
    } catch (err) {
      return { ok: false, reason: err instanceof errors.JOSEError ? err.code : 'invalid token' };
    }
  };
}

export type VerifyLoginToken = ReturnType<typeof createLoginTokenVerifier>;
