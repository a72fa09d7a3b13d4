import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export const SECRET_NAMES = ['SESSION_SECRET', 'JWT_SECRET', 'MCP_TOKEN', 'PROXY_ADMIN_TOKEN'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
/** Secrets that take a comma-separated rotation list: the first signs, every one verifies. */
const ROTATED: ReadonlySet<SecretName> = new Set(['SESSION_SECRET', 'JWT_SECRET']);

const DEV_ADMIN = { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'admin', ADMIN_EMAIL: 'admin@localhost' } as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration refused:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * Secrets come from the environment only. In production a missing, short or dev value
 * refuses start-up. In development, missing secrets are generated once into
 * `<dataDir>/dev-secrets.env` (never committed), so every process of one checkout agrees
 * and sessions survive restarts; no secret is ever written in code.
 */
export function resolveSecrets(env: NodeJS.ProcessEnv = process.env, dataDir = 'data'): Record<SecretName, string> {
  const devFile = resolve(dataDir, 'dev-secrets.env');
  const problems: string[] = [];
  if (isProduction(env)) {
    const devValues = new Set(existsSync(devFile) ? Object.values(parseEnvFile(readFileSync(devFile, 'utf8'))).flatMap(secretList) : []);
    for (const name of SECRET_NAMES) {
      const value = env[name];
      if (!value) {
        problems.push(`${name} is not set: generate one with \`openssl rand -base64 48\``);
        continue;
      }
      // Every entry of a rotation list verifies, so every entry must be as strong as the first.
      const entries = ROTATED.has(name) ? secretList(value) : [value];
      if (entries.length === 0) problems.push(`${name} holds no secret: generate one with \`openssl rand -base64 48\``);
      entries.forEach((entry, i) => {
        const which = entries.length > 1 ? `${name} entry ${i + 1} of ${entries.length}` : name;
        if (entry.length < 32) problems.push(`${which} is shorter than 32 characters: generate one with \`openssl rand -base64 48\``);
        else if (devValues.has(entry)) problems.push(`${which} is the development value from ${devFile}: set a production secret`);
      });
    }
    const sessionSecrets = new Set(secretList(env.SESSION_SECRET ?? ''));
    if (secretList(env.JWT_SECRET ?? '').some((s) => sessionSecrets.has(s))) {
      problems.push('JWT_SECRET must differ from SESSION_SECRET: no entry of one list may appear in the other');
    }
    if (problems.length) throw new ConfigError(problems);
    return Object.fromEntries(SECRET_NAMES.map((n) => [n, env[n] as string])) as Record<SecretName, string>;
  }
  const missing = SECRET_NAMES.filter((n) => !env[n]);
  if (missing.length) {
    const stored = existsSync(devFile) ? parseEnvFile(readFileSync(devFile, 'utf8')) : {};
    let changed = false;
    for (const name of missing) {
      if (!stored[name]) {
        stored[name] = randomBytes(32).toString('base64url');
        changed = true;
      }
      env[name] = stored[name];
    }
    if (changed) {
      mkdirSync(dirname(devFile), { recursive: true });
      const body = Object.entries(stored).map(([k, v]) => `${k}=${v}`).join('\n');
      writeFileSync(devFile, `# Development secrets, generated on first start. Never used in production.\n${body}\n`, { mode: 0o600 });
    }
  }
  return Object.fromEntries(SECRET_NAMES.map((n) => [n, env[n] as string])) as Record<SecretName, string>;
}

/** The admin seeded into an empty users table. Production refuses the dev password. */
export function resolveAdmin(env: NodeJS.ProcessEnv = process.env): { username: string; password: string; email: string } {
  const admin = {
    username: env.ADMIN_USERNAME || DEV_ADMIN.ADMIN_USERNAME,
    password: env.ADMIN_PASSWORD || DEV_ADMIN.ADMIN_PASSWORD,
    email: env.ADMIN_EMAIL || DEV_ADMIN.ADMIN_EMAIL,
  };
  if (isProduction(env) && (!env.ADMIN_PASSWORD || env.ADMIN_PASSWORD === DEV_ADMIN.ADMIN_PASSWORD || env.ADMIN_PASSWORD.length < 12)) {
    throw new ConfigError(['ADMIN_PASSWORD is missing, the dev default, or shorter than 12 characters: set a strong one']);
  }
  return admin;
}

/** SESSION_SECRET may list several secrets, comma-separated: the first signs, all verify. */
export function secretList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

export function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError([`${name}=${raw} is not a port number (0-65535)`]);
  return n;
}
