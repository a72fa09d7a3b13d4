import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../test/kit/ports.js';
import { runTsx, type WatchedProcess } from '../test/kit/process.js';
import { tempDir } from '../test/kit/temp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = fileURLToPath(new URL('./start.ts', import.meta.url));

/** An environment where nothing collides with a developer's running stack or data. */
async function isolatedEnv(dir: ReturnType<typeof tempDir>): Promise<NodeJS.ProcessEnv> {
  const [legacy, backend, mcp, proxy] = await freePorts(4);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LEGACY_PORT: String(legacy),
    NEW_BACKEND_PORT: String(backend),
    MCP_PORT: String(mcp),
    PROXY_PORT: String(proxy),
    DATABASE_PATH: dir.file('app.db'),
    DIFFS_PATH: dir.file('diffs.db'),
    SESSION_SECRET: 'start-test-session-secret-0123456789abcdef',
    JWT_SECRET: 'start-test-jwt-secret-0123456789abcdef012345',
    MCP_TOKEN: 'start-test-mcp-token-0123456789abcdef0123456',
    PROXY_ADMIN_TOKEN: 'start-test-proxy-admin-0123456789abcdef0123',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
  };
  for (const name of ['LEGACY_URL', 'NEW_BACKEND_URL', 'MCP_URL', 'HOST', 'LEGACY_HOST', 'NEW_BACKEND_HOST', 'MCP_HOST', 'PROXY_HOST', 'ADMIN_PASSWORD']) delete env[name];
  return env;
}

function pidsOf(output: string): Map<string, number> {
  return new Map([...output.matchAll(/(\S+) starting \(pid (\d+)\)/g)].map((m) => [m[1] as string, Number(m[2])]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', { timeout: 240_000 }, () => {
  const dir = tempDir('strangler-start-');
  const running: WatchedProcess[] = [];
  after(() => {
    running.forEach((p) => p.kill());
    dir.cleanup();
  });

  it('starts every component, prints the URL, answers health, and stops them all on SIGINT', async () => {
    const start = runTsx(START, { cwd: ROOT, env: await isolatedEnv(dir) });
    running.push(start);
    const [, url] = await start.waitFor(/Open\s+(http:\/\/\S+)/);
    assert.ok(url);
    const health = await fetch(new URL('/health', url));
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>/);
    assert.match(start.output(), /Log in\s+admin \/ admin/);
    assert.match(start.output(), /Console\s+http:\/\/\S+\/__proxy\/ui\s+\(sign in with PROXY_ADMIN_TOKEN, from data\/dev-secrets\.env/);

    const pids = pidsOf(start.output());
    assert.ok(pids.has('legacy'), `legacy should have started:\n${start.output()}`);
    for (const pid of pids.values()) assert.ok(alive(pid));

    start.child.kill('SIGINT');
    assert.equal(await start.exited(), 0, start.output());
    for (const [name, pid] of pids) assert.equal(alive(pid), false, `${name} (pid ${pid}) outlived npm start`);
    assert.match(start.output(), /all processes stopped/);
  });

  it('refuses a busy port in one line naming the port and its variable, and starts nothing', async () => {
    const env = await isolatedEnv(dir);
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(Number(env.LEGACY_PORT), '127.0.0.1', resolve));
    try {
      const start = runTsx(START, { cwd: ROOT, env });
      running.push(start);
      assert.equal(await start.exited(), 1);
      const expected = `legacy: port ${env.LEGACY_PORT} on 127.0.0.1 is already in use: stop what holds it, or set LEGACY_PORT to another port`;
      assert.ok(start.output().includes(expected), start.output());
      assert.doesNotMatch(start.output(), /starting \(pid/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('stops the others and exits non-zero when one process dies', async () => {
    const start = runTsx(START, { cwd: ROOT, env: await isolatedEnv(dir), args: ['legacy'] });
    running.push(start);
    await start.waitFor(/Open\s+http/);
    const legacy = pidsOf(start.output()).get('legacy');
    assert.ok(legacy);
    process.kill(legacy, 'SIGKILL');
    assert.equal(await start.exited(), 1);
    assert.match(start.output(), /legacy exited \(killed by SIGKILL\): stopping the others/);
  });
});
