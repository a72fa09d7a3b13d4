import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createLegacySchema } from '../../../legacy-adapter/src/schema.js';
import { openDatabase, type SqliteDatabase } from '../../../lib/sqlite.js';
import { tempDir } from '../temp.js';
import { compilePolicy, loadPolicyFile } from '../../../new-backend/src/mcp-server/policy/load-policy.js';
import type { Policy } from '../../../new-backend/src/mcp-server/policy/policy.js';
import { openCommandService, type OpenCommandService } from '../../../new-backend/src/mcp-server/open-command-service.js';

export const JWT_SECRETS = ['test-jwt-secret-that-is-long-enough-0123456789'];
export const MCP_TOKEN = 'test-mcp-service-token-0123456789abcdef';
export const REPO_POLICY = fileURLToPath(new URL('../../../mcp-policy.yaml', import.meta.url));

/** Users seeded in every fixture database. */
export const USERS = { admin: 1, alice: 2, bob: 3, formerAdmin: 4 } as const;

export interface Fixture extends OpenCommandService {
  readonly workspace: string;
  readonly db: SqliteDatabase;
  readonly databasePath: string;
  readonly dir: string;
  cleanup(): Promise<void>;
}

/**
 * The repo policy with rate limits lifted (tests make many calls; the limiter has its
 * own tests), or a policy built in code (unsafe allows sh for process tests).
 */
export function testPolicy(raw?: unknown, unsafe = false): Policy {
  if (raw === undefined) {
    const loaded = loadPolicyFile(REPO_POLICY);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    return { ...loaded.policy, limits: { ...loaded.policy.limits, callsPerMinute: 1_000_000, burst: 1_000_000 } };
  }
  const compiled = compilePolicy(raw, { unsafeAllowNeverAutoAllow: unsafe });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.policy;
}

/** A real command service on temp files: workspace, audit DB, and a users DB with the legacy schema. */
export function createFixture(policy: Policy = testPolicy(), options: { killGraceMs?: number } = {}): Fixture {
  const tmp = tempDir('mcp-fixture-');
  const dir = realpathSync(tmp.path);
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const databasePath = join(dir, 'app.db');
  const db = openDatabase(databasePath);
  createLegacySchema(db);
  const insert = db.prepare("INSERT INTO users (id, username, name, email, password, role) VALUES (?, ?, ?, ?, 'x', ?)");
  insert.run(USERS.admin, 'admin', 'Admin', 'admin@localhost', 'admin');
  insert.run(USERS.alice, 'alice', 'Alice', 'alice@example.com', 'user');
  insert.run(USERS.bob, 'bob', 'Bob', 'bob@example.com', 'user');
  insert.run(USERS.formerAdmin, 'former', 'Former Admin', 'former@example.com', 'user');
  const service = openCommandService({
    policy: { current: () => policy },
    workspace,
    auditPath: join(dir, 'mcp-audit.db'),
    databasePath,
    jwtSecrets: JWT_SECRETS,
    logger: pino({ level: 'silent' }),
    runner: { killGraceMs: options.killGraceMs ?? 300 },
  });
  return {
    ...service,
    workspace,
    db,
    databasePath,
    dir,
    cleanup: async () => {
      await service.close();
      db.close();
      tmp.cleanup();
    },
  };
}
