import { ConfigError, envPort, resolveAdmin, resolveSecrets, secretList } from '../../lib/env.js';

export interface NewBackendConfig {
  readonly port: number;
  readonly host: string;
  readonly databasePath: string;
  /** JWT_SECRET as a list: the first signs, every one verifies (rotation). */
  readonly jwtSecrets: readonly string[];
  readonly admin: { readonly username: string; readonly password: string; readonly email: string };
  /** The proxy's public keys for bridged tokens (STRANGLER_JWKS_URL, default the local proxy's). */
  readonly jwksUrl: string;
  /** The `aud` the bridge mints for this backend (BRIDGE_AUDIENCE; routes.yaml `audience`, default strangler:new). */
  readonly bridgeAudience: string;
}

const MIN_JWT_SECRET_BYTES = 32;

/**
 * The new backend's settings from the environment. Refuses, with every problem listed:
 * what lib/env refuses (production: missing or dev secrets and admin password), a JWT
 * secret under 32 bytes (any mode), and a JWT secret that is also a session secret (J5).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dataDir = 'data'): NewBackendConfig {
  const secrets = resolveSecrets(env, dataDir);
  const admin = resolveAdmin(env);
  const jwtSecrets = secretList(secrets.JWT_SECRET);
  const sessionSecrets = new Set(secretList(secrets.SESSION_SECRET));
  const problems: string[] = [];
  if (jwtSecrets.length === 0) problems.push('JWT_SECRET is empty: generate one with `openssl rand -base64 48`');
  jwtSecrets.forEach((secret, i) => {
    const name = jwtSecrets.length > 1 ? `JWT_SECRET entry ${i + 1}` : 'JWT_SECRET';
    if (Buffer.byteLength(secret) < MIN_JWT_SECRET_BYTES) {
      problems.push(`${name} is shorter than ${MIN_JWT_SECRET_BYTES} bytes: generate one with \`openssl rand -base64 48\``);
    }
    if (sessionSecrets.has(secret)) problems.push(`${name} is also a SESSION_SECRET: the two must differ`);
  });
  if (env.STRANGLER_JWKS_URL && !/^https?:\/\/[^\s]+$/.test(env.STRANGLER_JWKS_URL)) problems.push(`STRANGLER_JWKS_URL "${env.STRANGLER_JWKS_URL}" is not a URL: write e.g. http://127.0.0.1:5634/__proxy/jwks.json`);
  if (problems.length) throw new ConfigError(problems);
  return {
    port: envPort(env, 'NEW_BACKEND_PORT', 5602),
    host: env.NEW_BACKEND_HOST || env.HOST || '127.0.0.1',
    databasePath: env.DATABASE_PATH || 'data/app.db',
    jwtSecrets,
    admin,
    jwksUrl: env.STRANGLER_JWKS_URL || `http://127.0.0.1:${env.PROXY_PORT || 5634}/__proxy/jwks.json`,
    bridgeAudience: env.BRIDGE_AUDIENCE || 'strangler:new',
  };
}
