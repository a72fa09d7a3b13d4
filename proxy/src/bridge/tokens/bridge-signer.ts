import { randomUUID } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { ACCESS_TOKEN_TYP, CLOCK_TOLERANCE_SEC, ISSUER, keyId } from '../../../../lib/tokens.js';
import type { Logger } from '../../../../lib/logger.js';
import { keyFileStamp, readKeyFile, RETIRED_KEY_GRACE_MS, type SigningKey } from './signing-keys.js';

export interface MintRequest {
  readonly sub: string;
  /** The mapped claims (role, …); registered claims are the signer's. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly audience: string;
  readonly ttlSec: number;
  /** Absolute expiry cap, epoch s (the session's own expiry). */
  readonly notAfter: number;
  /** HMAC of the session id, never the id. */
  readonly sid: string;
  /** Lowest iat (the user's tokens-valid-after, epoch s). */
  readonly issuedAtLeast: number;
}

export interface Minted {
  readonly token: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/** What the bridge mints with: one algorithm, its keys, and the public half for `/__proxy/jwks.json`. */
export interface BridgeSigner {
  readonly alg: 'EdDSA' | 'ES256' | 'HS256';
  mint(request: MintRequest): Promise<Minted>;
  /** The JWKS document: every key that signs or signed a token still alive. HS256 publishes none. */
  jwks(): { keys: JWK[] };
}

const STAMP_CHECK_MS = 1000;

/**
 * Signs with the first active key of a key file (EdDSA or ES256) and re-reads the file when
 * it changes (checked at most once a second), so `strangler keys rotate` takes effect on a
 * running proxy; a file that turns bad keeps the keys in force and is logged.
 */
export async function openKeyFileSigner(file: string, deps: { logger: Logger; clock?: () => number }): Promise<BridgeSigner> {
  const clock = deps.clock ?? Date.now;
  const first = await readKeyFile(file);
  if (!first.ok) throw new Error(first.problem);
  let keys = first.keys;
  let stamp = keyFileStamp(file);
  let checkedAt = clock();
  let reading: Promise<void> | undefined;

  function refresh(): Promise<void> | undefined {
    const now = clock();
    if (now - checkedAt < STAMP_CHECK_MS) return reading;
    checkedAt = now;
    const next = keyFileStamp(file);
    if (next === stamp || reading) return reading;
    reading = readKeyFile(file).then((read) => {
      stamp = next;
      if (read.ok) {
        keys = read.keys;
        deps.logger.info({ file, signing: signer(keys).kid }, 'signing keys re-read');
      } else deps.logger.error({ file }, `signing keys not re-read, the previous ones stay: ${read.problem}`);
    }).finally(() => { reading = undefined; });
    return reading;
  }

  const signer = (list: readonly SigningKey[]) => list.find((k) => k.retiredAt === undefined) as SigningKey;

  return {
    alg: signer(keys).alg,
    async mint(request) {
      await refresh();
      const key = signer(keys);
      return sign(request, key.privateKey, { alg: key.alg, kid: key.kid }, clock);
    },
    jwks() {
      void refresh();
      const now = clock();
      return { keys: keys.filter((k) => k.retiredAt === undefined || now - k.retiredAt <= RETIRED_KEY_GRACE_MS).map((k) => ({ ...k.publicJwk })) };
    },
  };
}

/** HS256 over JWT_SECRET (`tokens: { alg: HS256 }`): the first secret signs; verifiers share the secret. */
export function secretSigner(secrets: readonly string[], clock: () => number = Date.now): BridgeSigner {
  const secret = secrets[0];
  if (!secret) throw new Error('JWT_SECRET is empty: HS256 bridged tokens need it (or use `tokens: { alg: EdDSA }`)');
  const key = new TextEncoder().encode(secret);
  const kid = keyId(secret);
  return {
    alg: 'HS256',
    mint: (request) => sign(request, key, { alg: 'HS256', kid }, clock),
    jwks: () => ({ keys: [] }),
  };
}

async function sign(request: MintRequest, key: CryptoKey | Uint8Array, header: { alg: string; kid: string }, clock: () => number): Promise<Minted> {
  const now = Math.floor(clock() / 1000);
  // Raised at most to the edge of the verifiers' tolerance, so it never mints a token they refuse.
  const iat = Math.max(now, Math.min(request.issuedAtLeast, now + CLOCK_TOLERANCE_SEC - 1));
  const exp = Math.min(iat + request.ttlSec, request.notAfter);
  const jti = randomUUID();
  const token = await new SignJWT({ ...request.claims, sid: request.sid })
    .setProtectedHeader({ ...header, typ: ACCESS_TOKEN_TYP })
    .setIssuer(ISSUER)
    .setSubject(request.sub)
    .setAudience(request.audience)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, jti, iat, exp };
}
