import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../lib/env.js';
import { tempDir } from '../../test/kit/index.js';
import { loadConfig } from './config.js';

const STRONG = {
  SESSION_SECRET: 's'.repeat(48),
  JWT_SECRET: 'j'.repeat(48),
  MCP_TOKEN: 'm'.repeat(48),
  PROXY_ADMIN_TOKEN: 'p'.repeat(48),
  ADMIN_PASSWORD: 'a-strong-admin-password',
};

function refusal(env: NodeJS.ProcessEnv, dataDir: string): string {
  try {
    loadConfig(env, dataDir);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('the configuration was accepted');
}

describe('new backend configuration', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('reads port, host, database and the JWT secret list (first signs, all verify)', () => {
    const config = loadConfig({ ...STRONG, JWT_SECRET: `${'n'.repeat(40)}, ${'o'.repeat(40)}`, NEW_BACKEND_PORT: '6000', DATABASE_PATH: '/tmp/x.db' }, dir.path);
    assert.equal(config.port, 6000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databasePath, '/tmp/x.db');
    assert.deepEqual(config.jwtSecrets, ['n'.repeat(40), 'o'.repeat(40)]);
  });

  it('defaults to port 5602 and data/app.db', () => {
    const config = loadConfig({ ...STRONG }, dir.path);
    assert.equal(config.port, 5602);
    assert.equal(config.databasePath, 'data/app.db');
  });

  it('refuses a JWT_SECRET shorter than 32 bytes, in any mode (J5)', () => {
    assert.match(refusal({ ...STRONG, JWT_SECRET: 'short-secret' }, dir.path), /JWT_SECRET is shorter than 32 bytes: generate one with `openssl rand -base64 48`/);
    assert.match(refusal({ ...STRONG, JWT_SECRET: `${'n'.repeat(40)},tiny` }, dir.path), /JWT_SECRET entry 2 is shorter than 32 bytes/);
  });

  it('refuses a JWT_SECRET shorter than 32 characters in production (lib/env)', () => {
    assert.match(refusal({ ...STRONG, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) }, dir.path), /JWT_SECRET is shorter than 32 characters/);
  });

  it('refuses JWT_SECRET equal to SESSION_SECRET in production (lib/env, J5)', () => {
    assert.match(refusal({ ...STRONG, NODE_ENV: 'production', JWT_SECRET: STRONG.SESSION_SECRET }, dir.path), /JWT_SECRET must differ from SESSION_SECRET/);
  });

  it('refuses a JWT secret that is any of the session secrets, in any mode', () => {
    const both = `${'r'.repeat(40)},${'q'.repeat(40)}`;
    assert.match(refusal({ ...STRONG, SESSION_SECRET: both, JWT_SECRET: 'q'.repeat(40) }, dir.path), /JWT_SECRET is also a SESSION_SECRET: the two must differ/);
    assert.match(refusal({ ...STRONG, SESSION_SECRET: 'r'.repeat(40), JWT_SECRET: `${'z'.repeat(40)},${'r'.repeat(40)}` }, dir.path), /JWT_SECRET entry 2 is also a SESSION_SECRET/);
  });

  it('refuses missing secrets in production, listing every one', () => {
    const message = refusal({ NODE_ENV: 'production' }, dir.path);
    for (const name of ['SESSION_SECRET', 'JWT_SECRET', 'MCP_TOKEN', 'PROXY_ADMIN_TOKEN']) assert.match(message, new RegExp(`${name} is not set`));
  });

  it('generates distinct development secrets once and reuses them', () => {
    const dev = tempDir();
    try {
      const first = loadConfig({}, dev.path);
      const second = loadConfig({}, dev.path);
      assert.deepEqual(first.jwtSecrets, second.jwtSecrets);
      assert.ok(Buffer.byteLength(first.jwtSecrets[0] as string) >= 32);
    } finally {
      dev.cleanup();
    }
  });
});
