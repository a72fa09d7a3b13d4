import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../test/kit/temp.js';
import { ConfigError, resolveSecrets } from './env.js';

const STRONG = {
  session: 'session-secret-0123456789abcdef-0123456789',
  oldSession: 'session-secret-older-0123456789abcdef-012345',
  jwt: 'jwt-secret-0123456789abcdef-0123456789abcdef',
  mcp: 'mcp-token-0123456789abcdef-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef-0123456789abcd',
};
const DEV_SESSION = 'dev-session-value-0123456789abcdef-0123456789';

describe('production secrets', () => {
  const dir = tempDir('strangler-env-');
  after(() => dir.cleanup());
  writeFileSync(dir.file('dev-secrets.env'), `# dev\nSESSION_SECRET=${DEV_SESSION}\n`);

  const production = (overrides: Record<string, string>) => ({
    NODE_ENV: 'production', SESSION_SECRET: STRONG.session, JWT_SECRET: STRONG.jwt, MCP_TOKEN: STRONG.mcp, PROXY_ADMIN_TOKEN: STRONG.admin, ...overrides,
  });
  const problems = (env: NodeJS.ProcessEnv): string[] => {
    try {
      resolveSecrets(env, dir.path);
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems;
    }
  };

  it('accepts strong secrets and a rotation list of strong ones', () => {
    assert.deepEqual(problems(production({ SESSION_SECRET: `${STRONG.session},${STRONG.oldSession}` })), []);
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    ['a short second entry of SESSION_SECRET', { SESSION_SECRET: `${STRONG.session},short` }, /^SESSION_SECRET entry 2 of 2 is shorter than 32 characters: generate one with `openssl rand -base64 48`$/],
    ['a short older entry of JWT_SECRET', { JWT_SECRET: `${STRONG.jwt}, tooshort` }, /^JWT_SECRET entry 2 of 2 is shorter than 32 characters/],
    ['the development value as an older entry', { SESSION_SECRET: `${STRONG.session},${DEV_SESSION}` }, /^SESSION_SECRET entry 2 of 2 is the development value from .*dev-secrets\.env: set a production secret$/],
    ['a JWT_SECRET entry equal to an older SESSION_SECRET entry', { SESSION_SECRET: `${STRONG.session},${STRONG.oldSession}`, JWT_SECRET: `${STRONG.jwt},${STRONG.oldSession}` }, /^JWT_SECRET must differ from SESSION_SECRET/],
    ['the same first entry in both', { JWT_SECRET: STRONG.session }, /^JWT_SECRET must differ from SESSION_SECRET/],
    ['a list of nothing but commas', { SESSION_SECRET: ' , ,' }, /^SESSION_SECRET holds no secret/],
    ['a short single secret', { MCP_TOKEN: 'short' }, /^MCP_TOKEN is shorter than 32 characters/],
  ];
  for (const [label, overrides, expected] of refusals) {
    it(`refuses ${label}, naming it`, () => {
      const found = problems(production(overrides));
      assert.ok(found.some((p) => expected.test(p)), `expected ${expected}, got ${JSON.stringify(found)}`);
    });
  }

  it('reports every problem at once', () => {
    assert.equal(problems(production({ SESSION_SECRET: 'a,b', MCP_TOKEN: '' })).length, 3);
  });
});
