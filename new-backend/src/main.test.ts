import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { openDatabase } from '../../lib/sqlite.js';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { importFlags, SIGTERM_ON_LINE_PRELOAD } from '../../test/kit/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const SECRETS = {
  SESSION_SECRET: 'process-test-session-secret-0123456789abcdef',
  JWT_SECRET: 'process-test-jwt-secret-0123456789abcdef-xyz',
  MCP_TOKEN: 'process-test-mcp-token-0123456789abcdef-xyz',
  PROXY_ADMIN_TOKEN: 'process-test-admin-token-0123456789abcdef',
  ADMIN_PASSWORD: 'process-test-admin-password',
};

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: string[];
}

function spawnMain(env: Record<string, string>, preload: readonly string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...importFlags(preload), MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', LOG_LEVEL: 'info', NEW_BACKEND_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, lines, exited };
}

/** Waits (polling, no fixed sleep) for the "listening" line, or the process's exit. */
async function started(env: Record<string, string>): Promise<Started & { exited: Promise<{ code: number | null; stderr: string }> }> {
  const run = spawnMain(env);
  let exitedEarly: { code: number | null; stderr: string } | undefined;
  void run.exited.then((e) => (exitedEarly = e));
  const url = await waitFor(() => {
    if (exitedEarly) return { exited: exitedEarly };
    const line = run.lines.find((l) => l.includes('listening on'));
    return line ? /http:\/\/[\d.]+:\d+/.exec(line)?.[0] : undefined;
  }, 'the listening line', 120_000).catch((error: Error) => {
    run.child.kill('SIGKILL');
    return assert.fail(`${error.message}: ${run.lines.join('\n')}`);
  });
  if (typeof url !== 'string') assert.fail(`exited ${url.exited.code}: ${url.exited.stderr}`);
  return { ...run, url };
}

describe('new backend process (main.ts)', { timeout: 240_000 }, () => {
  const dir = tempDir();
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    dir.cleanup();
  });

  it('migrates a new file, seeds the admin, serves, and stops cleanly on SIGTERM', async () => {
    const run = await started({ ...SECRETS, DATABASE_PATH: dir.file('fresh/app.db') });
    children.push(run.child);
    const messages = run.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.ok(messages.includes('applied migration 0001_baseline'), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('seeded admin user "admin"')));
    assert.deepEqual(await (await fetch(`${run.url}/health`)).json(), { status: 'ok' });
    const login = await fetch(`${run.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: SECRETS.ADMIN_PASSWORD }) });
    assert.equal(login.status, 200);
    assert.ok(login.headers.get('x-auth-token'));
    assert.ok(!existsSync(dir.file('fresh/backups')), 'a new file is not backed up');
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0);
  });

  it('exits 0 on SIGTERM while a client holds /mcp/ws open, telling it 1001', async () => {
    const run = await started({ ...SECRETS, DATABASE_PATH: dir.file('ws/app.db') });
    children.push(run.child);
    const login = await fetch(`${run.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: SECRETS.ADMIN_PASSWORD }) });
    assert.equal(login.status, 200);
    const ws = new WebSocket(`${run.url.replace('http', 'ws')}/mcp/ws`, { headers: { authorization: `Bearer ${login.headers.get('x-auth-token')}` } });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    run.child.kill('SIGTERM');
    const hung = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still running 60 s after SIGTERM')), 60_000).unref());
    assert.equal((await Promise.race([run.exited, hung])).code, 0);
    assert.equal(await closed, 1001);
  });

  it('stops cleanly on a SIGTERM sent the moment it says it is listening', async () => {
    const run = spawnMain({ ...SECRETS, DATABASE_PATH: dir.file('announce/app.db'), SIGTERM_ON_LINE: 'listening on' }, [SIGTERM_ON_LINE_PRELOAD]);
    children.push(run.child);
    const exit = await run.exited;
    assert.equal(exit.code, 0, `${exit.stderr}\n${run.lines.join('\n')}`);
    assert.ok(run.lines.some((l) => l.includes('listening on')));
  });

  it('backs up a legacy database before migrating it, and keeps its users', async () => {
    const path = dir.file('legacy/app.db');
    const db = openDatabase(path);
    createLegacySchema(db);
    db.prepare("INSERT INTO users (username, name, email, password, role) VALUES ('old_admin', 'Old', 'old@example.test', 'x', 'admin')").run();
    db.close();
    const run = await started({ ...SECRETS, DATABASE_PATH: path });
    children.push(run.child);
    assert.equal(readdirSync(dir.file('legacy/backups')).length, 1);
    assert.ok(!run.lines.some((l) => l.includes('seeded admin')), 'users is not empty: no seed');
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0);
  });

  for (const [label, env, message] of [
    ['a JWT_SECRET shorter than 32 bytes', { ...SECRETS, JWT_SECRET: 'too-short' }, /JWT_SECRET is shorter than 32 bytes/],
    ['JWT_SECRET equal to SESSION_SECRET in production', { ...SECRETS, NODE_ENV: 'production', JWT_SECRET: SECRETS.SESSION_SECRET }, /JWT_SECRET must differ from SESSION_SECRET/],
  ] as const) {
    it(`refuses to start with ${label}, saying why`, async () => {
      const run = spawnMain({ ...env, DATABASE_PATH: dir.file('refused/app.db') });
      children.push(run.child);
      const { code, stderr } = await run.exited;
      assert.equal(code, 1);
      assert.match(stderr, message);
      assert.ok(!existsSync(dir.file('refused/app.db')), 'refused before touching the database');
    });
  }
});
