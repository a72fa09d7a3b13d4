import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../../../test/kit/index.js';
import { isAlive, readPids } from '../../../../test/kit/mcp-server/processes.js';
import { createProcessRunner, type RunRequest } from './process-runner.js';

const LIMITS = { cpuSeconds: 10, fileSizeBytes: 16 * 1024 * 1024, openFiles: 128 };

describe('process runner (P1-P6)', () => {
  const tmp = tempDir('mcp-run-');
  let ws = '';
  const runner = createProcessRunner({ killGraceMs: 300 });
  const req = (file: string, args: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
    file, args, cwd: ws, home: ws, timeoutMs: 20_000, maxOutputBytes: 256 * 1024, limits: LIMITS, ...extra,
  });
  before(() => {
    ws = realpathSync(tmp.path);
  });
  after(async () => {
    await runner.killAll();
    tmp.cleanup();
  });

  it('runs a program with no shell and reports its exit', async () => {
    const ok = await runner.run(req('/usr/bin/echo', ['hello', '$(id)', '; rm -rf /']));
    assert.equal(ok.stdout, 'hello $(id) ; rm -rf /\n');
    assert.equal(ok.exitCode, 0);
    const fail = await runner.run(req('/usr/bin/ls', ['--', 'no-such-file']));
    assert.notEqual(fail.exitCode, 0);
    assert.match(fail.stderr, /no-such-file/);
  });

  it('is wrapped by setpriv and prlimit here: no new privileges, limits applied (P5)', async () => {
    assert.equal(runner.containment, 'setpriv+prlimit');
    const status = await runner.run(req('/usr/bin/cat', ['/proc/self/status']));
    assert.match(status.stdout, /NoNewPrivs:\s+1/);
    const limits = await runner.run(req('/usr/bin/cat', ['/proc/self/limits']));
    assert.match(limits.stdout, /Max open files\s+128\s+128/);
    assert.match(limits.stdout, /Max core file size\s+0\s+0/);
    const nproc = await runner.run(req('/usr/bin/cat', ['/proc/self/limits'], { limits: { ...LIMITS, processes: 77 } }));
    assert.match(nproc.stdout, /Max processes\s+77\s+77/);
  });

  it('kills a program that writes a file past the size limit', async () => {
    const r = await runner.run(req('/usr/bin/dd', ['if=/dev/zero', `of=${join(ws, 'big')}`, 'bs=1024', 'count=64'], { limits: { ...LIMITS, fileSizeBytes: 4096 } }));
    assert.equal(r.signal, 'SIGXFSZ');
  });

  it('passes only the allowlisted environment (P2)', async () => {
    process.env.STRANGLER_TEST_SECRET = 'must-not-leak';
    try {
      const r = await runner.run(req('/usr/bin/env', []));
      const names = r.stdout.trim().split('\n').map((l) => l.split('=')[0]).sort();
      assert.deepEqual(names, ['HOME', 'LANG', 'PATH', 'TERM']);
      assert.match(r.stdout, /^PATH=\/usr\/bin:\/bin$/m);
      assert.match(r.stdout, new RegExp(`^HOME=${ws}$`, 'm'));
      assert.doesNotMatch(r.stdout, /must-not-leak/);
    } finally {
      delete process.env.STRANGLER_TEST_SECRET;
    }
  });

  it('closes stdin, so a program waiting for input ends at once (P1)', async () => {
    const r = await runner.run(req('/usr/bin/cat', []));
    assert.equal(r.exitCode, 0);
    assert.equal(r.timedOut, false);
  });

  it('kills the whole process group at the timeout, grandchildren too (P3)', async () => {
    const script = join(ws, 'spawn.sh');
    writeFileSync(script, 'sleep 300 &\necho $! >> pids\nsleep 300 &\necho $! >> pids\necho $$ >> pids\nwait\n');
    const r = await runner.run(req('/usr/bin/sh', [script], { timeoutMs: 1500 }));
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    const pids = await readPids(join(ws, 'pids'), 3);
    await waitFor(() => pids.every((p) => !isAlive(p)), 'every process of the group to die');
    assert.equal(runner.liveGroups(), 0);
  });

  it('follows SIGTERM with SIGKILL when the program ignores it', async () => {
    const script = join(ws, 'stubborn.sh');
    writeFileSync(script, "trap '' TERM\necho $$ > stubborn.pid\nwhile true; do sleep 300; done\n");
    const r = await runner.run(req('/usr/bin/sh', [script], { timeoutMs: 1000 }));
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
  });

  it('kills what a finished program left running in its group', async () => {
    const script = join(ws, 'leave.sh');
    writeFileSync(script, 'sleep 300 &\necho $! > left.pid\n');
    const r = await runner.run(req('/usr/bin/sh', [script]));
    assert.equal(r.exitCode, 0);
    const [pid] = await readPids(join(ws, 'left.pid'), 1);
    await waitFor(() => !isAlive(pid as number), 'the background sleep to die');
  });

  it('caps each stream, flags truncation, and stops a flood (T9)', async () => {
    const r = await runner.run(req('/usr/bin/yes', [], { maxOutputBytes: 4096 }));
    assert.equal(r.truncated, true);
    assert.equal(r.flooded, true);
    assert.equal(r.stdout.length, 2048);
    assert.ok(r.stdoutBytes > 2048);
    const big = join(ws, 'big.txt');
    writeFileSync(big, 'x'.repeat(10_000));
    const c = await runner.run(req('/usr/bin/cat', [big], { maxOutputBytes: 4096 }));
    assert.equal(c.exitCode, 0);
    assert.equal(c.truncated, true);
    assert.equal(c.flooded, false);
    assert.equal(c.stdoutBytes, 10_000);
  });

  it('strips terminal escapes from output (T9)', async () => {
    const r = await runner.run(req('/usr/bin/printf', ['\\033[31mred\\033[0m \\033]0;title\\007ok\\r\\n']));
    assert.equal(r.stdout, 'red ok\n');
  });

  it('kills a run when its request is aborted', async () => {
    const controller = new AbortController();
    const running = runner.run(req('/usr/bin/sleep', ['300'], { signal: controller.signal }));
    await waitFor(() => runner.liveGroups() > 0, 'sleep to start');
    controller.abort();
    const r = await running;
    assert.equal(r.cancelled, true);
    assert.notEqual(r.signal, null);
  });

  it('kills every live group on shutdown (P6)', async () => {
    const script = join(ws, 'shutdown.sh');
    writeFileSync(script, 'sleep 300 &\necho $! >> down.pids\necho $$ >> down.pids\nwait\n');
    const running = runner.run(req('/usr/bin/sh', [script]));
    const pids = await readPids(join(ws, 'down.pids'), 2);
    await runner.killAll();
    const r = await running;
    assert.equal(r.signal, 'SIGKILL');
    await waitFor(() => pids.every((p) => !isAlive(p)), 'the group to die');
  });

  it('reports a program that cannot be started', async () => {
    const bare = createProcessRunner({ wrappers: null });
    const r = await bare.run(req('/nonexistent/program', []));
    assert.match(r.spawnError ?? '', /ENOENT/);
  });
});
