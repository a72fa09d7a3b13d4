import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/kit/index.js';
import { COMMENTED } from '../../test/kit/proxy/routes-yaml-examples.js';
import { closedPortUrl, writeRoutes } from '../../test/kit/cli-fixture.js';

const BIN = fileURLToPath(new URL('../strangler.js', import.meta.url));
const dir = tempDir('strangler-bin-');
let env: NodeJS.ProcessEnv;

/** Runs the real `strangler` entry (package.json bin) as a process, in a folder with no .env. */
function strangler(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir.path, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', PROXY_URL: await closedPortUrl() };
});
after(() => dir.cleanup());

describe('the strangler command (a real process)', () => {
  it('cuts over with a canary, then rolls back to the original bytes', async () => {
    const file = writeRoutes(dir.file('routes.yaml'), COMMENTED);
    const cut = await strangler('cutover', 'users', 'new', '--percent', '10');
    assert.equal(cut.code, 0, cut.stderr);
    assert.match(cut.stdout, /✔ users: canary 10% -> new/);
    assert.match(readFileSync(file, 'utf8'), /^ {4}canary: \{ to: new, percent: 10 \}$/m);
    const back = await strangler('rollback', 'users');
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /✔ users: canary new 10% removed/);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED);
  });

  it('validate exits 1 with every error on stderr', async () => {
    writeRoutes(dir.file('bad.yaml'), COMMENTED.replace('auth: jwt', 'auth: jwtt').replace('target: "legacy"', 'target: nwe'));
    const r = await strangler('validate', 'bad.yaml');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml:7: backends\.new\.auth: must be one of "session", "jwt", got "jwtt"/);
    assert.match(r.stderr, /bad\.yaml:25: routes\[2\]\.target: unknown backend "nwe"/);
  });

  it('explain prints the route, backend and canary bucket', async () => {
    writeRoutes(dir.file('routes.yaml'), COMMENTED.replace('    # canary: { to: new, percent: 25 }', '    canary: { to: new, percent: 25 }'));
    const r = await strangler('explain', 'GET', '/users/7', '--user', '7');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /route +users/);
    assert.match(r.stdout, /canary +user:7 is in bucket 68\.17 of 100; buckets below 25 go to new/);
    assert.match(r.stdout, /backend +legacy/);
  });

  it('exits 2 on an unknown command, with a suggestion', async () => {
    const r = await strangler('cutvoer');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did you mean "cutover"/);
  });
});
