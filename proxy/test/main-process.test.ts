import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { importFlags, SIGTERM_ON_LINE_PRELOAD } from '../../test/kit/process.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

const SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  MCP_TOKEN: 'test-mcp-token-0123456789abcdef0123456789',
  PROXY_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef01234567',
};

interface Child {
  readonly process: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function startMain(env: Record<string, string>, preload: readonly string[] = []): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ...importFlags(preload), 'proxy/src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...SECRETS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { process: child, stdout: () => out, stderr: () => err };
}

describe('proxy main process', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  const dir = tempDir('strangler-main-');
  const file = dir.file('routes.yaml');
  const yaml = (users: string) => routesYaml({
    backends: { legacy: { url: legacy.url }, new: { url: next.url } },
    default: 'legacy',
    routes: [{ name: 'users', paths: ['/users', '/users/**'], target: users }],
  });

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
  });
  after(async () => {
    await legacy.close();
    await next.close();
    dir.cleanup();
  });

  it('refuses to start on an invalid routes.yaml, listing every error', async () => {
    writeFileSync(file, yaml('nwe').replace('default: legacy', 'default: legcy'));
    const child = startMain({ ROUTES_FILE: file, PROXY_PORT: '0', DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db') });
    const [code] = (await once(child.process, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(child.stderr(), /did not start/);
    assert.match(child.stderr(), /unknown backend "nwe"/);
    assert.match(child.stderr(), /legcy/);
  });

  for (const workers of ['1', '2']) {
    it(`stops cleanly on a SIGTERM sent the moment it says it is listening (PROXY_WORKERS=${workers})`, async () => {
      writeFileSync(file, yaml('legacy'));
      const child = startMain({ ROUTES_FILE: file, PROXY_PORT: '0', PROXY_WORKERS: workers, DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db'), SIGTERM_ON_LINE: 'listening on' }, [SIGTERM_ON_LINE_PRELOAD]);
      const [code, signal] = (await once(child.process, 'exit')) as [number | null, string | null];
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, `${child.stderr()}\n${child.stdout()}`);
      assert.match(child.stdout(), /listening on http/);
    });
  }

  it('reloads on SIGHUP (file watching off) and stops cleanly on SIGTERM, open WebSockets and all', async () => {
    writeFileSync(file, yaml('legacy'));
    const child = startMain({ ROUTES_FILE: file, PROXY_PORT: '0', PROXY_WATCH: 'false', DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db') });
    try {
      const port = await waitFor(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(child.stdout())?.[1], 'the proxy to listen', 30_000);
      const servedBy = async () => ((await (await fetch(`http://127.0.0.1:${port}/users/1`)).json()) as Echo).backend;
      assert.equal(await servedBy(), 'legacy');
      await waitFor(() => /GET \/users\/1 200 legacy/.test(child.stdout()), 'a log line for the request');

      writeFileSync(file, yaml('new'));
      assert.equal(await servedBy(), 'legacy', 'with watching off, nothing changes before the signal');
      child.process.kill('SIGHUP');
      await waitFor(async () => (await servedBy()) === 'new', 'SIGHUP to reload the file');
      await waitFor(() => /users: legacy -> new/.test(child.stdout()), 'the reload to log the changed route');

      const tunnel = await openSocket(`ws://127.0.0.1:${port}/users/ws`);
      assert.equal(tunnel.hello.hello, 'new');
      const closed = once(tunnel.ws, 'close');
      const exited = once(child.process, 'exit') as Promise<[number]>;
      child.process.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
      await closed;
    } finally {
      child.process.kill('SIGKILL');
    }
  });

  it('with PROXY_REQUEST_LOG=false, logs no line per request and every other line still', async () => {
    writeFileSync(file, yaml('legacy'));
    const child = startMain({ ROUTES_FILE: file, PROXY_PORT: '0', PROXY_WATCH: 'false', PROXY_REQUEST_LOG: 'false', DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db') });
    try {
      const port = await waitFor(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(child.stdout())?.[1], 'the proxy to listen', 30_000);
      for (let i = 0; i < 5; i += 1) assert.equal((await fetch(`http://127.0.0.1:${port}/users/${i}`)).status, 200);
      writeFileSync(file, yaml('new'));
      child.process.kill('SIGHUP');
      await waitFor(() => /users: legacy -> new/.test(child.stdout()), 'the reload to log the changed route');
      assert.equal((await fetch(`http://127.0.0.1:${port}/users/9`)).status, 200);
      const exited = once(child.process, 'exit') as Promise<[number]>;
      child.process.kill('SIGTERM');
      assert.equal((await exited)[0], 0);
      assert.doesNotMatch(child.stdout(), /GET \/users\/\d/);
    } finally {
      child.process.kill('SIGKILL');
    }
  });

  it('refuses a PROXY_REQUEST_LOG that is not true or false, naming the variable', async () => {
    writeFileSync(file, yaml('legacy'));
    const child = startMain({ ROUTES_FILE: file, PROXY_PORT: '0', PROXY_REQUEST_LOG: 'off', DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db') });
    const [code] = (await once(child.process, 'exit')) as [number];
    assert.notEqual(code, 0);
    assert.match(child.stderr() + child.stdout(), /PROXY_REQUEST_LOG must be true or false; got "off"/);
  });
});
