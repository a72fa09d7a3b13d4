import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { ConfigError } from '../../../lib/env.js';
import { tempDir } from '../../../test/kit/index.js';
import { bootstrap } from './bootstrap.js';
import { JWT_SECRETS, MCP_TOKEN, REPO_POLICY } from '../../../test/kit/mcp-server/fixture.js';

describe('bootstrap: what both entry points do before serving', () => {
  const tmp = tempDir('mcp-boot-');
  after(() => tmp.cleanup());
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    JWT_SECRET: JWT_SECRETS[0], SESSION_SECRET: 's'.repeat(40), MCP_TOKEN, PROXY_ADMIN_TOKEN: 'p'.repeat(40),
    MCP_POLICY_FILE: tmp.file('policy.yaml'), MCP_WORKSPACE: tmp.file('ws/inner'), MCP_AUDIT_PATH: tmp.file('audit.db'), DATABASE_PATH: tmp.file('app.db'),
    ...extra,
  });
  const logger = pino({ level: 'silent' });

  it('creates the workspace and audit file, and reloads the policy only when the new one is valid', async () => {
    writeFileSync(tmp.file('policy.yaml'), readFileSync(REPO_POLICY, 'utf8'));
    const started = bootstrap(env(), logger);
    try {
      assert.ok(existsSync(tmp.file('ws/inner')));
      assert.ok(existsSync(tmp.file('audit.db')));
      assert.equal(started.policy.current().programs.get('echo')?.decision, 'allow');
      writeFileSync(tmp.file('policy.yaml'), 'version: 1\nprograms:\n  echo: { decision: allow, path: /usr/bin/bash }\n');
      started.reloadPolicy();
      assert.equal(started.policy.current().programs.get('ls')?.decision, 'allow', 'an invalid file keeps the last good policy');
      writeFileSync(tmp.file('policy.yaml'), 'version: 1\nprograms:\n  echo: { decision: deny }\n');
      started.reloadPolicy();
      assert.equal(started.policy.current().programs.get('echo')?.decision, 'deny');
      assert.equal(started.policy.current().programs.has('ls'), false);
    } finally {
      await started.service.close();
    }
  });

  it('refuses to start with every problem listed', () => {
    writeFileSync(tmp.file('bad.yaml'), 'version: 2\nprograms: {}\n');
    assert.throws(() => bootstrap(env({ MCP_POLICY_FILE: tmp.file('bad.yaml') }), logger), (err: unknown) => err instanceof ConfigError && /bad\.yaml:1: version/.test(err.message));
    assert.throws(() => bootstrap(env({ MCP_HOST: '0.0.0.0' }), logger), (err: unknown) => err instanceof ConfigError && /MCP_ALLOWED_HOSTS/.test(err.message));
    assert.throws(() => bootstrap(env({ NODE_ENV: 'production', JWT_SECRET: 'short' }), logger), ConfigError);
  });
});
