import { SignJWT, base64url, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_TYP, AUDIENCE, ISSUER, keyId } from '../../lib/tokens.js';

/**
 * A token signed by hand, for attacks the token service itself would never mint. Defaults
 * make a token the new backend accepts for `sub`, so each test changes one thing.
 */
export async function forgeToken(
  secret: string,
  options: {
    sub?: number;
    header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
    payload?: JWTPayload;
    omit?: readonly string[];
    key?: Uint8Array | CryptoKey;
    crit?: Record<string, boolean>;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: ISSUER, aud: AUDIENCE.newBackend, sub: String(options.sub ?? 1), role: 'admin', jti: crypto.randomUUID(), iat: now, exp: now + 300,
    ...options.payload,
  };
  for (const k of options.omit ?? []) delete payload[k];
  const header = { alg: 'HS256', typ: ACCESS_TOKEN_TYP, kid: keyId(secret), ...options.header } as JWTHeaderParameters;
  return new SignJWT(payload)
    .setProtectedHeader(header)
    .sign(options.key ?? new TextEncoder().encode(secret), options.crit ? { crit: options.crit } : undefined);
}

/** `alg: none`: no signature at all. */
export function unsignedToken(secret: string, sub = 1): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  return `${enc({ alg: 'none', typ: ACCESS_TOKEN_TYP, kid: keyId(secret) })}.${enc({ iss: ISSUER, aud: AUDIENCE.newBackend, sub: String(sub), role: 'admin', jti: 'none-1', iat: now, exp: now + 300 })}.`;
}
