import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { writeFileAtomic } from '../../config/atomic-write.js';

export type AsymmetricAlg = 'EdDSA' | 'ES256';

/** One key as the key file keeps it: the private JWK, and when it stopped signing. */
export interface StoredKey {
  readonly kid: string;
  readonly alg: AsymmetricAlg;
  readonly private_jwk: JWK;
  readonly created_at: string;
  readonly retired_at?: string;
}

export interface KeyFile {
  readonly keys: readonly StoredKey[];
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: AsymmetricAlg;
  readonly privateKey: CryptoKey | Uint8Array;
  readonly publicJwk: JWK;
  readonly retiredAt: number | undefined;
}

export type KeyFileResult = { ok: true; keys: readonly SigningKey[] } | { ok: false; problem: string };

/**
 * How long a retired key stays published: the longest bridged token (5 min) plus the
 * verifiers' clock tolerance and a JWKS cache's refresh, so no token it signed is refused.
 */
export const RETIRED_KEY_GRACE_MS = 15 * 60 * 1000;

/** A new key pair for `alg`, as the key file stores it. */
export async function newStoredKey(alg: AsymmetricAlg, now = Date.now()): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { kid: randomUUID(), alg, private_jwk: await exportJWK(privateKey), created_at: new Date(now).toISOString() };
}

/** Parses and imports a key file's text; every problem names the file and the fix. */
export async function readKeyFile(file: string): Promise<KeyFileResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? `${file} does not exist: create it with \`npx strangler keys rotate --file ${file}\`` : `${file} cannot be read (${code ?? String(err)})` };
  }
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(text) as KeyFile;
  } catch {
    return { ok: false, problem: `${file} is not JSON: restore it from a backup or make a new one with \`npx strangler keys rotate --file ${file}\`` };
  }
  if (!parsed || !Array.isArray(parsed.keys) || parsed.keys.length === 0) return { ok: false, problem: `${file} holds no keys: run \`npx strangler keys rotate --file ${file}\`` };
  const keys: SigningKey[] = [];
  for (const [i, stored] of parsed.keys.entries()) {
    if (typeof stored?.kid !== 'string' || (stored.alg !== 'EdDSA' && stored.alg !== 'ES256') || typeof stored.private_jwk !== 'object' || stored.private_jwk === null) {
      return { ok: false, problem: `${file}: keys[${i}] needs kid, alg (EdDSA or ES256) and private_jwk` };
    }
    try {
      const privateKey = await importJWK(stored.private_jwk, stored.alg);
      const { d: _d, ...publicPart } = stored.private_jwk;
      keys.push({
        kid: stored.kid,
        alg: stored.alg,
        privateKey,
        publicJwk: { ...publicPart, kid: stored.kid, alg: stored.alg, use: 'sig' },
        retiredAt: stored.retired_at ? Date.parse(stored.retired_at) : undefined,
      });
    } catch (err) {
      return { ok: false, problem: `${file}: keys[${i}] (${stored.kid}) is not a usable ${stored.alg} private key: ${(err as Error).message}` };
    }
  }
  if (!keys.some((k) => k.retiredAt === undefined)) return { ok: false, problem: `${file}: every key is retired: run \`npx strangler keys rotate --file ${file}\`` };
  return { ok: true, keys };
}

/**
 * Rotation: a new key signs from now on; the previous signer is marked retired and stays
 * published until its tokens have expired; keys retired longer than the grace are dropped.
 * Written atomically, so a running proxy never reads half a file.
 */
export async function rotateKeyFile(file: string, alg: AsymmetricAlg, now = Date.now()): Promise<{ added: StoredKey; retired: string[]; dropped: string[] }> {
  let existing: StoredKey[] = [];
  try {
    existing = (JSON.parse(readFileSync(file, 'utf8')) as KeyFile).keys.slice();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} cannot be read as a key file (${(err as Error).message}): move it away and rotate again`);
  }
  const retired: string[] = [];
  const dropped: string[] = [];
  const kept = existing.flatMap((k): StoredKey[] => {
    if (k.retired_at === undefined) {
      retired.push(k.kid);
      return [{ ...k, retired_at: new Date(now).toISOString() }];
    }
    if (now - Date.parse(k.retired_at) > RETIRED_KEY_GRACE_MS) {
      dropped.push(k.kid);
      return [];
    }
    return [k];
  });
  const added = await newStoredKey(alg, now);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify({ keys: [added, ...kept] }, null, 2)}\n`, 0o600);
  return { added, retired, dropped };
}

/** The file's modification time, or undefined when it is gone. */
export function keyFileStamp(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
