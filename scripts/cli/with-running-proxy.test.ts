import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createLogger } from '../../lib/logger.js';
import { createProxy, type Proxy } from '../../proxy/src/create-proxy.js';
import { watchRoutesFile, type RoutesFileWatcher } from '../../proxy/src/watch-routes-file.js';
import { COMMENTED } from '../../test/kit/proxy/routes-yaml-examples.js';
import { startServer, tempDir, type RunningServer } from '../../test/kit/index.js';
import { run as cutover } from './cutover.js';
import { run as rollback } from './rollback.js';
import { run as status } from './status.js';
import { fetchRunningTable } from './proxy-admin.js';
import { captureIo, writeRoutes } from '../../test/kit/cli-fixture.js';

const TOKEN = 'cli-test-admin-token-0123456789abcdef';

/** A backend that says who it is. */
const named = (name: string) => createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ backend: name })));

describe('strangler against the real proxy', () => {
  const dir = tempDir('strangler-cli-proxy-');
  let legacy: RunningServer;
  let fresh: RunningServer;
  let proxyServer: RunningServer;
  let proxy: Proxy;
  let watcher: RoutesFileWatcher;
  let env: NodeJS.ProcessEnv;
  let file: string;

  before(async () => {
    legacy = await startServer(named('legacy'));
    fresh = await startServer(named('new'));
    file = writeRoutes(dir.file('routes.yaml'), COMMENTED);
    env = { LEGACY_URL: legacy.url, NEW_BACKEND_URL: fresh.url };
    const created = createProxy({ routesFile: file, adminToken: TOKEN, env }, { logger: createLogger('test', 'silent') });
    assert.ok(created.ok, created.ok ? '' : created.errors.join('\n'));
    proxy = created.proxy;
    proxyServer = await startServer(proxy.handler);
    watcher = watchRoutesFile(file, () => proxy.reload(), { debounceMs: 50 });
    env = { ...env, PROXY_URL: proxyServer.url, PROXY_ADMIN_TOKEN: TOKEN };
  });

  after(async () => {
    watcher.close();
    await proxyServer.close();
    await proxy.close();
    await legacy.close();
    await fresh.close();
    dir.cleanup();
  });

  const backendFor = async (path: string) => (await fetch(`${proxyServer.url}${path}`)).headers.get('x-backend');

  it("reads the proxy's GET /__proxy/routes in the agreed shape", async () => {
    const running = await fetchRunningTable(captureIo(dir.path, env));
    assert.equal(running.state, 'ok', running.state === 'ok' ? '' : running.reason);
    if (running.state === 'ok') assert.deepEqual(running.table.routes.map((r) => [r.name, r.target]), [['auth', 'legacy'], ['users', 'legacy'], ['mcp', 'legacy']]);
  });

  it('status shows the same routing as the file', async () => {
    const io = captureIo(dir.path, env);
    assert.equal(await status(['--file', file], io), 0);
    assert.match(io.text(), new RegExp(`Proxy ${proxyServer.url}: routing with ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(io.text(), /✔ same routing as the file/);
  });

  it('cutover is confirmed by the proxy, and requests follow it; rollback returns them', async () => {
    assert.equal(await backendFor('/users/1'), 'legacy');
    const io = captureIo(dir.path, env);
    assert.equal(await cutover(['users', 'new', '--file', file], io), 0);
    assert.match(io.text(), /✔ users: legacy -> new/);
    assert.match(io.text(), /✔ the proxy at .* is routing with it/);
    assert.equal(await backendFor('/users/1'), 'new');
    assert.equal(await backendFor('/auth/me'), 'legacy');

    const back = captureIo(dir.path, env);
    assert.equal(await rollback(['users', '--file', file], back), 0);
    assert.match(back.text(), /is routing with it/);
    assert.equal(await backendFor('/users/1'), 'legacy');
  });
});
