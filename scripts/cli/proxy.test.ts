import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePorts, runTsx, startServer, tempDir, type RunningServer, type WatchedProcess } from '../../test/kit/index.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { run } from './proxy.js';
import { captureIo } from '../../test/kit/cli-fixture.js';

const STRANGLER = fileURLToPath(new URL('../strangler.ts', import.meta.url));

describe('strangler proxy: arguments', () => {
  const cases: [string[], RegExp][] = [
    [['--port', 'eighty'], /--port must be a whole number from 0 to 65535, got "eighty"/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535, got "70000"/],
    [['--port', '-1'], /--port/],
    [['routes.yaml'], /unexpected argument "routes\.yaml": the routes file goes after --routes, e\.g\. strangler proxy --routes routes\.yaml/],
    [['--routes', 'a.yaml', '--file', 'b.yaml'], /--routes a\.yaml and --file b\.yaml name two files: give one/],
    [['--route', 'a.yaml'], /Unknown option '--route'/],
    [['--host', ' '], /--host needs an address/],
    [['--workers', '0'], /--workers must be a whole number from 1 to 64, or auto \(one per core\); got "0"/],
    [['--workers', 'many'], /--workers must be a whole number from 1 to 64, or auto/],
  ];
  for (const [args, message] of cases) {
    it(`refuses ${args.join(' ')} with exit 2, the fix and the usage`, async () => {
      const io = captureIo(process.cwd());
      assert.equal(await run(args, io), 2);
      assert.match(io.stderr.join('\n'), message);
      assert.match(io.stderr.join('\n'), /^strangler proxy \[--routes FILE\] \[--port N\]/m);
      assert.deepEqual(io.stdout, []);
    });
  }

  it('--help prints the usage and exits 0', async () => {
    const io = captureIo(process.cwd());
    assert.equal(await run(['--help'], io), 0);
    assert.match(io.stdout.join('\n'), /^strangler proxy \[--routes FILE\] \[--port N\]/);
    assert.match(io.stdout.join('\n'), /PROXY_ADMIN_TOKEN/);
  });
});

describe('strangler proxy: the process', () => {
  const dir = tempDir('strangler-proxy-cmd-');
  let backend: EchoBackend;
  let children: WatchedProcess[] = [];
  const file = dir.file('my-routes.yaml');

  /** `strangler proxy …` as a user runs it, in a folder of its own with no .env. */
  const strangler = (...args: string[]) => {
    const child = runTsx(STRANGLER, { args: ['proxy', ...args], cwd: dir.path, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', NO_COLOR: '1' } });
    children.push(child);
    return child;
  };

  before(async () => {
    backend = await startEchoBackend('app');
    writeFileSync(file, routesYaml({ backends: { app: { url: backend.url } }, default: 'app', routes: [{ name: 'orders', paths: ['/orders', '/orders/**'], target: 'app' }] }));
  });
  after(async () => {
    for (const child of children) child.kill();
    children = [];
    await backend.close();
    dir.cleanup();
  });

  it('serves the routes file given on the port given, in front of any backend, and stops on SIGTERM', async () => {
    const [port] = await freePorts(1);
    const proxy = strangler('--routes', 'my-routes.yaml', '--port', String(port));
    await proxy.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}, routes from .*my-routes\\.yaml`), 120_000);
    const health = await fetch(`http://127.0.0.1:${port}/__proxy/health`);
    assert.equal(health.status, 200);
    const answer = (await (await fetch(`http://127.0.0.1:${port}/orders/7?x=1`)).json()) as Echo;
    assert.equal(answer.backend, 'app');
    assert.equal(answer.url, '/orders/7?x=1');
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exited(15_000), 0);
  });

  it('--workers 2 runs a primary and two workers that share the port, and stops them all on SIGTERM', async () => {
    const [port] = await freePorts(1);
    const proxy = strangler('--routes', 'my-routes.yaml', '--port', String(port), '--workers', '2');
    await proxy.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${port} with 2 workers, routes from .*my-routes\\.yaml`), 120_000);
    const health = (await (await fetch(`http://127.0.0.1:${port}/__proxy/health`)).json()) as { cluster: { workers: { pid: number; ready: boolean }[] } };
    assert.equal(health.cluster.workers.filter((w) => w.ready).length, 2);
    const answer = (await (await fetch(`http://127.0.0.1:${port}/orders/7`)).json()) as Echo;
    assert.equal(answer.backend, 'app');
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exited(20_000), 0);
    for (const { pid } of health.cluster.workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  it('with workers, still says which flag moves a busy port, and exits 1', async () => {
    let holder: RunningServer | undefined;
    try {
      holder = await startServer((_req, res) => res.end());
      const proxy = strangler('-f', file, '-p', String(holder.port), '--workers', '2');
      assert.equal(await proxy.exited(120_000), 1);
      assert.match(proxy.output(), new RegExp(`strangler proxy: port ${holder.port} is already in use: stop what holds it, or pass another --port`));
    } finally {
      await holder?.close();
    }
  });

  it('says which flag moves a busy port, and exits 1', async () => {
    let holder: RunningServer | undefined;
    try {
      holder = await startServer((_req, res) => res.end());
      const proxy = strangler('-f', file, '-p', String(holder.port));
      assert.equal(await proxy.exited(120_000), 1);
      assert.match(proxy.output(), new RegExp(`strangler proxy: port ${holder.port} is already in use: stop what holds it, or pass another --port`));
    } finally {
      await holder?.close();
    }
  });

  it('refuses a routes file that does not exist, naming it', async () => {
    const proxy = strangler('--routes', 'nowhere.yaml', '--port', '0');
    assert.equal(await proxy.exited(120_000), 1);
    assert.match(proxy.output(), /nowhere\.yaml/);
  });
});
