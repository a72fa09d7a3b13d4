import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { tempDir } from '../kit/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SERVICES = ['legacy', 'new-backend', 'mcp-server', 'proxy'];

interface Service {
  command?: string[];
  env_file?: string | string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  environment?: Record<string, string>;
}

async function hasDockerCompose(): Promise<boolean> {
  try {
    await run('docker-compose', ['version']);
    return true;
  } catch {
    return false;
  }
}

describe('docker-compose.yml', () => {
  const dir = tempDir('strangler-compose-');
  after(() => dir.cleanup());
  const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, Service> };

  it('validates with docker-compose, as a user has it after `cp .env.example .env`', async (t) => {
    if (!(await hasDockerCompose())) {
      const reason = 'docker-compose is not installed: `apt-get install -y docker-compose` (Debian) to run this check';
      if (process.env.CI === 'true') assert.fail(`${reason}; CI must have it (.ci/run installs it)`);
      t.skip(reason);
      return;
    }
    // A copy, so the check never reads (or needs) a developer's own .env.
    copyFileSync(`${ROOT}docker-compose.yml`, dir.file('docker-compose.yml'));
    copyFileSync(`${ROOT}.env.example`, dir.file('.env'));
    const { stderr } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: dir.path });
    assert.equal(stderr.trim(), '');
  });

  it('has the four services, each on .env, ./data, a healthcheck and a compiled entry whose source exists', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [...SERVICES].sort());
    for (const name of SERVICES) {
      const service = compose.services[name] as Service;
      assert.deepEqual([service.env_file].flat(), ['.env'], `${name}.env_file`);
      // The MCP server's share is read-only and elsewhere (mcp-volumes.test.ts).
      assert.ok(service.volumes?.some((v) => v.startsWith('./data:')), `${name} shares ./data`);
      assert.ok(service.healthcheck?.test?.length, `${name} has a healthcheck`);
      // The image runs the build (dist/…/main.js, from npm run build) of a source main.ts.
      const entry = service.command?.join(' ').match(/\bdist\/([\w/-]+\/main)\.js\b/)?.[1];
      assert.ok(entry && existsSync(`${ROOT}${entry}.ts`), `${name}: entry dist/${entry}.js is built from ${entry}.ts`);
    }
  });

  it('starts the proxy only once the others are healthy, and points it at them', () => {
    const proxy = compose.services.proxy as Service;
    for (const name of ['legacy', 'new-backend', 'mcp-server']) {
      assert.equal(proxy.depends_on?.[name]?.condition, 'service_healthy', `proxy waits for ${name}`);
    }
    assert.equal(proxy.environment?.LEGACY_URL, 'http://legacy:5601');
    assert.equal(proxy.environment?.NEW_BACKEND_URL, 'http://new-backend:5602');
  });

  it('builds on node:22-bookworm-slim with npm ci, and runs the build with production dependencies only', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    const stages = dockerfile.match(/^FROM .*$/gm) ?? [];
    assert.ok(stages.length > 0 && stages.every((line) => /^FROM node:22-bookworm-slim\b/.test(line)), stages.join('\n'));
    assert.match(dockerfile, /npm ci\b/);
    assert.match(dockerfile, /npm run build && npm prune --omit=dev\b/);
    assert.doesNotMatch(dockerfile, /--import[= ]tsx/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(`${ROOT}.env.example`, 'utf8');
  // DESIGN.md §1 plus the ports and hosts of each process.
  const documented = [
    'DATABASE_PATH', 'DIFFS_PATH', 'ROUTES_FILE', 'SESSION_SECRET', 'JWT_SECRET', 'MCP_TOKEN', 'PROXY_ADMIN_TOKEN',
    'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'ADMIN_EMAIL', 'LEGACY_URL', 'NEW_BACKEND_URL', 'MCP_URL', 'LOG_LEVEL', 'NODE_ENV',
    'PROXY_PORT', 'LEGACY_PORT', 'NEW_BACKEND_PORT', 'MCP_PORT', 'HOST', 'MCP_HOST',
  ];
  for (const name of documented) {
    it(`documents ${name}`, () => {
      assert.match(text, new RegExp(`^#? ?${name}=`, 'm'));
    });
  }

  it('holds no secret values', () => {
    for (const name of ['SESSION_SECRET', 'JWT_SECRET', 'MCP_TOKEN', 'PROXY_ADMIN_TOKEN', 'ADMIN_PASSWORD']) {
      assert.match(text, new RegExp(`^${name}=$`, 'm'), `${name} must be empty in the example`);
    }
  });
});
