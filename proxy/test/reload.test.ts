import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { pino } from 'pino';
import { createProxy } from '../src/create-proxy.js';
import { createRouteTableSource } from '../src/route-table-source.js';

async function servedBy(proxy: RunningProxy, path = '/users/1'): Promise<string> {
  const res = await fetch(`${proxy.url}${path}`);
  return ((await res.json()) as Echo).backend;
}

async function reloadCount(proxy: RunningProxy, result: 'success' | 'error'): Promise<number> {
  const text = await (await proxy.admin('metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`proxy_config_reloads_total{result="${result}"}`));
  return Number(line?.split(' ').pop());
}

describe('hot reload', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
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
  });

  describe('a plain file', () => {
    let proxy: RunningProxy;
    before(async () => {
      proxy = await startProxy(yaml('legacy'), { watch: true });
    });
    after(() => proxy.close());

    it('follows an in-place write', async () => {
      assert.equal(await servedBy(proxy), 'legacy');
      writeFileSync(proxy.file, yaml('new'));
      await waitFor(async () => (await servedBy(proxy)) === 'new', 'the proxy to follow an in-place write');
    });

    it('logs one line per route whose routing changed', async () => {
      await waitFor(() => proxy.logs.some((l) => l.msg === 'users: legacy -> new'), 'the reload log line');
    });

    it('follows an atomic rename (how editors and strangler cutover save)', async () => {
      const temp = join(proxy.dir, '.routes.yaml.tmp');
      writeFileSync(temp, yaml('legacy'));
      renameSync(temp, proxy.file);
      await waitFor(async () => (await servedBy(proxy)) === 'legacy', 'the proxy to follow a rename');
      // The watch must survive the rename: a second change is seen too.
      writeFileSync(temp, yaml('new'));
      renameSync(temp, proxy.file);
      await waitFor(async () => (await servedBy(proxy)) === 'new', 'the proxy to follow a second rename');
    });

    it('keeps the last good table on an invalid file, counts and reports the error, then recovers', async () => {
      const errorsBefore = await reloadCount(proxy, 'error');
      const generation = proxy.proxy.state().generation;
      writeFileSync(proxy.file, yaml('new').replace('target: new', 'target: nwe'));
      await waitFor(async () => (await reloadCount(proxy, 'error')) === errorsBefore + 1, 'the refused reload to be counted');
      assert.equal(await servedBy(proxy), 'new', 'still routing with the last good table');
      assert.equal(proxy.proxy.state().generation, generation);
      const routes = (await (await proxy.admin('routes')).json()) as { lastError?: { at: string; errors: string[] } };
      assert.ok(routes.lastError, 'GET /__proxy/routes shows the refused reload');
      assert.match(routes.lastError.errors.join('\n'), /routes\[0\]\.target: unknown backend "nwe"/);
      assert.ok(proxy.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('unknown backend "nwe"')), 'each error is logged');

      writeFileSync(proxy.file, yaml('legacy'));
      await waitFor(async () => (await servedBy(proxy)) === 'legacy', 'the proxy to load the fixed file');
      const fixed = (await (await proxy.admin('routes')).json()) as { lastError?: unknown };
      assert.equal(fixed.lastError, undefined);
    });

    it('can reload a backend URL back and forth without piling up forwarders or listeners', async () => {
      const alias = (users: string, i: number) => yaml(users).replace(legacy.url, i % 2 ? legacy.url.replace('127.0.0.1', 'localhost') : legacy.url);
      for (let i = 0; i < 30; i++) {
        writeFileSync(proxy.file, alias('legacy', i));
        assert.ok(proxy.proxy.reload().ok);
        assert.equal(await servedBy(proxy), 'legacy');
      }
      assert.ok(proxy.server.listenerCount('close') <= 5, `server close listeners: ${proxy.server.listenerCount('close')}`);
      writeFileSync(proxy.file, yaml('legacy'));
      proxy.proxy.reload();
    });

    it('treats a save that changes nothing as a no-op', async () => {
      const generation = proxy.proxy.state().generation;
      const successes = await reloadCount(proxy, 'success');
      writeFileSync(proxy.file, yaml('legacy'));
      const result = proxy.proxy.reload();
      assert.deepEqual(result, { ok: true, changed: false, changes: [], generation });
      assert.equal(await reloadCount(proxy, 'success'), successes);
    });
  });

  describe('a Kubernetes ConfigMap (a symlinked folder swapped atomically)', () => {
    let proxy: RunningProxy;
    const dir = tempDir('strangler-configmap-');
    let version = 0;
    const publish = (text: string) => {
      version += 1;
      const data = join(dir.path, `..2026_v${version}`);
      mkdirSync(data);
      writeFileSync(join(data, 'routes.yaml'), text);
      symlinkSync(`..2026_v${version}`, join(dir.path, '..data_tmp'));
      renameSync(join(dir.path, '..data_tmp'), join(dir.path, '..data'));
    };

    before(async () => {
      publish(yaml('legacy'));
      symlinkSync('..data/routes.yaml', join(dir.path, 'routes.yaml'));
      proxy = await startProxy('', { watch: true, file: join(dir.path, 'routes.yaml'), dir: dir.path });
    });
    after(async () => {
      await proxy.close();
      dir.cleanup();
    });

    it('follows each swap of ..data', async () => {
      assert.equal(await servedBy(proxy), 'legacy');
      publish(yaml('new'));
      await waitFor(async () => (await servedBy(proxy)) === 'new', 'the proxy to follow a ..data swap');
      publish(yaml('legacy'));
      await waitFor(async () => (await servedBy(proxy)) === 'legacy', 'the proxy to follow a second ..data swap');
    });
  });
});

describe('the first read of routes.yaml', () => {
  it('is the one the proxy routes with, even if the file changed after the process read it; the next reload takes the file', async () => {
    const dir = tempDir('strangler-first-read-');
    const table = (users: string) => routesYaml({
      backends: { legacy: { url: 'http://127.0.0.1:9' }, new: { url: 'http://127.0.0.1:9' } },
      default: 'legacy',
      routes: [{ name: 'users', paths: ['/users'], target: users }],
    });
    const file = dir.file('routes.yaml');
    writeFileSync(file, table('legacy'));
    // What proxy-process reads once, for the extensions' settings and the routing alike.
    const firstRead = createRouteTableSource(file, process.env).read({ force: true });
    writeFileSync(file, table('new'));
    const created = createProxy({ routesFile: file, adminToken: 'x'.repeat(32) }, { logger: pino({ level: 'silent' }), firstRead });
    assert.ok(created.ok);
    try {
      assert.equal(created.proxy.table().routes[0]?.target, 'legacy');
      const reloaded = created.proxy.reload();
      assert.ok(reloaded.ok && reloaded.changed, JSON.stringify(reloaded));
      assert.equal(created.proxy.table().routes[0]?.target, 'new');
    } finally {
      await created.proxy.close();
      dir.cleanup();
    }
  });
});
