import { existsSync } from 'node:fs';
import { ConfigError } from '../../../lib/env.js';
import type { Logger } from '../../../lib/logger.js';
import { createTokenService } from '../../../lib/tokens.js';
import type { TokensConfig } from '../config/index.js';
import { createSessionBridge, type SessionBridge, type SessionBridgeOptions } from './session-bridge.js';
import { openSessionSources } from './session-sources.js';
import { openKeyFileSigner, secretSigner, type BridgeSigner } from './tokens/bridge-signer.js';
import { createLoginTokenVerifier } from './tokens/login-token.js';
import { rotateKeyFile } from './tokens/signing-keys.js';

export interface OpenSessionBridgeOptions extends SessionBridgeOptions {
  /** DATABASE_PATH: the sqlite source's file where routes.yaml names none. */
  readonly databasePath: string;
  /** SESSION_SECRET as a list, for sources whose routes.yaml block names no secrets. */
  readonly sessionSecrets: readonly string[];
  /** JWT_SECRET as a list: verifies a backend's X-Auth-Token, and signs bridged tokens with `tokens.alg: HS256`. */
  readonly jwtSecrets: readonly string[];
  /** routes.yaml's `tokens` block as loaded at start (the algorithm is fixed for the process's life). */
  readonly tokens: TokensConfig;
  /** The signing key file (STRANGLER_SIGNING_KEYS). */
  readonly signingKeysFile: string;
  /** Production refuses a missing key file instead of making one. */
  readonly production: boolean;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/**
 * The bridge as a process runs it: the session sources routes.yaml names, the signer
 * (EdDSA or ES256 from the key file, made once in development; HS256 over JWT_SECRET when
 * routes.yaml says so), and the X-Auth-Token verifier. Closing the bridge (the proxy closes
 * its extensions) closes every source.
 *
 * @example
 * const bridge = await openSessionBridge({ databasePath, sessionSecrets, jwtSecrets, tokens: table.tokens, signingKeysFile: 'data/signing-keys.json', production: false, logger });
 */
export async function openSessionBridge(options: OpenSessionBridgeOptions): Promise<SessionBridge> {
  const problems = secretProblems(options.sessionSecrets, options.jwtSecrets);
  if (problems.length) throw new ConfigError(problems);
  const signer = await openSigner(options);
  const sources = openSessionSources({
    databasePath: options.databasePath,
    sessionSecrets: options.sessionSecrets,
    secureCookies: options.secureCookies ?? false,
    logger: options.logger,
    clock: options.clock,
  });
  const { sessionTag } = createTokenService(options.jwtSecrets, options.clock);
  return createSessionBridge(options, { sources, signer, verifyLoginToken: createLoginTokenVerifier(options.jwtSecrets, options.clock), sessionTag, logger: options.logger, clock: options.clock });
}

async function openSigner(options: OpenSessionBridgeOptions): Promise<BridgeSigner> {
  const { alg } = options.tokens;
  if (alg === 'HS256') return secretSigner(options.jwtSecrets, options.clock);
  const file = options.signingKeysFile;
  if (!existsSync(file)) {
    if (options.production) {
      throw new ConfigError([`STRANGLER_SIGNING_KEYS: the signing key file ${file} does not exist. Make one with \`npx strangler keys rotate --file ${file}\` and keep it private (mode 600)`]);
    }
    const made = await rotateKeyFile(file, alg);
    options.logger.info({ file, kid: made.added.kid }, `made a development ${alg} signing key`);
  }
  try {
    return await openKeyFileSigner(file, { logger: options.logger, clock: options.clock });
  } catch (err) {
    throw new ConfigError([`STRANGLER_SIGNING_KEYS: ${(err as Error).message}`]);
  }
}

/** What the bridge refuses to start with (SECURITY J5): the fix is in each message. */
export function secretProblems(sessionSecrets: readonly string[], jwtSecrets: readonly string[]): string[] {
  const problems: string[] = [];
  if (sessionSecrets.length === 0) problems.push('SESSION_SECRET is empty: set the same secret(s) the legacy app uses');
  if (jwtSecrets.length === 0) problems.push('JWT_SECRET is empty: set the same secret(s) the new backend uses');
  for (const secret of jwtSecrets) {
    if (Buffer.byteLength(secret) < 32) problems.push('a JWT_SECRET entry is shorter than 32 bytes: generate one with `openssl rand -base64 48`');
    if (sessionSecrets.includes(secret)) problems.push('a JWT_SECRET entry is also a SESSION_SECRET: the two must differ');
  }
  return problems;
}
