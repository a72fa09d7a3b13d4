import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { secretList } from '../../../lib/env.js';
import type { CliIo } from '../io.js';

/**
 * What the proxy would use where routes.yaml says nothing: DATABASE_PATH (default
 * data/app.db) and SESSION_SECRET, else the development secrets file every process of a
 * checkout shares. Never generated here: a secret the legacy app does not know verifies nothing.
 */
export function sessionDefaults(io: CliIo): { databasePath: string; sessionSecrets: string[]; secretsFrom: string } {
  const databasePath = resolve(io.cwd, io.env.DATABASE_PATH || 'data/app.db');
  if (io.env.SESSION_SECRET) return { databasePath, sessionSecrets: secretList(io.env.SESSION_SECRET), secretsFrom: 'SESSION_SECRET' };
  const devFile = join(io.cwd, 'data', 'dev-secrets.env');
  if (existsSync(devFile)) {
    try {
      const value = parseEnv(readFileSync(devFile, 'utf8')).SESSION_SECRET;
      if (value) return { databasePath, sessionSecrets: secretList(value), secretsFrom: 'data/dev-secrets.env' };
    } catch { /* an unreadable file is the same as none */ }
  }
  return { databasePath, sessionSecrets: [], secretsFrom: 'nowhere (SESSION_SECRET is not set)' };
}
