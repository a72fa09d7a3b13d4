import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { freePorts } from '../../test/kit/ports.js';
import { runTsx, SIGTERM_ON_LINE_PRELOAD, type WatchedProcess } from '../../test/kit/process.js';
import { tempDir } from '../../test/kit/temp.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const SECRETS = {
  SESSION_SECRET: 'main-test-session-secret-0123456789abcdef',
  JWT_SECRET: 'main-test-jwt-secret-0123456789abcdef0123',
  MCP_TOKEN: 'main-test-mcp-token-0123456789abcdef01234',
  PROXY_ADMIN_TOKEN: 'main-test-proxy-admin-0123456789abcdef012',
};

describe('legacy main.ts (the process)', { timeout: 120_000 }, () => {
  const dir = tempDir('strangler-legacy-main-');
  const running: WatchedProcess[] = [];
  after(() => {
    running.forEach((p) => p.kill());
    dir.cleanup();
  });

  function start(env: NodeJS.ProcessEnv, preload: readonly string[] = []): WatchedProcess {
    const proc = runTsx(MAIN, { cwd: dir.path, preload, env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'development', DATABASE_PATH: dir.file('app.db'), ...SECRETS, ...env } });
    running.push(proc);
    return proc;
  }

  it('creates the database, seeds the admin, serves, and exits 0 on SIGTERM', async () => {
    const [port] = await freePorts(1);
    const proc = start({ LEGACY_PORT: String(port) });
    await proc.waitFor(/listening on http/);
    assert.match(proc.output(), /seeded admin user \\?"admin/);
    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"admin"}' });
    assert.equal(login.status, 200);
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited(), 0);
  });

  it('exits 0 on SIGTERM while a page holds /mcp/ws open, telling it 1001', async () => {
    const [port] = await freePorts(1);
    const proc = start({ LEGACY_PORT: String(port), DATABASE_PATH: dir.file('ws.db') });
    await proc.waitFor(/listening on http/);
    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"admin"}' });
    assert.equal(login.status, 200);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mcp/ws`, { headers: { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string } });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited(), 0);
    assert.equal(await closed, 1001);
  });

  it('stops cleanly on a SIGTERM sent the moment it says it is listening', async () => {
    const proc = start({ LEGACY_PORT: '0', SIGTERM_ON_LINE: 'listening on' }, [SIGTERM_ON_LINE_PRELOAD]);
    assert.equal(await proc.exited(), 0, proc.output());
    assert.match(proc.output(), /listening on http/);
  });

  it('says in one line which port is busy and which variable moves it', async () => {
    const [port] = await freePorts(1);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const proc = start({ LEGACY_PORT: String(port) });
      assert.equal(await proc.exited(), 1);
      assert.ok(proc.output().includes(`legacy: port ${port} is already in use: stop what holds it, or set LEGACY_PORT to another port\n`), proc.output());
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('refuses to start in production with a missing secret and a dev admin password', async () => {
    const proc = start({ NODE_ENV: 'production', SESSION_SECRET: '', ADMIN_PASSWORD: 'admin', LEGACY_PORT: '0' });
    assert.equal(await proc.exited(), 1);
    assert.match(proc.output(), /SESSION_SECRET is not set/);
  });
});
