import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TERMINAL_TOOL } from '../../../lib/mcp-client.js';
import { SERVICE_IDENTITY, serviceIdentity } from './identity/identity.js';
import { createFixture, USERS, type Fixture } from '../../../test/kit/mcp-server/fixture.js';
import { connectInMemory } from '../../../test/kit/mcp-server/memory-client.js';

describe('terminal_command through the MCP SDK (in memory)', () => {
  let fx: Fixture;
  let alice: Awaited<ReturnType<typeof connectInMemory>>;
  before(async () => {
    fx = createFixture();
    writeFileSync(join(fx.workspace, 'notes.txt'), 'first line\nsecond line\n');
    writeFileSync(join(fx.workspace, 'ansi.txt'), '\u001b[2J\u001b]0;owned\u0007\u001b[31mred\u001b[0m\r\n');
    writeFileSync(join(fx.workspace, 'big.txt'), 'y'.repeat(600 * 1024));
    mkdirSync(join(fx.workspace, 'sub'));
    mkdirSync(join(fx.dir, 'workspace-evil'));
    writeFileSync(join(fx.dir, 'workspace-evil', 'loot.txt'), 'secret');
    symlinkSync('/etc', join(fx.workspace, 'etc-link'));
    alice = await connectInMemory(fx.commands, serviceIdentity({ id: USERS.alice, role: 'user' }));
  });
  after(async () => {
    await alice.close();
    await fx.cleanup();
  });

  it('lists terminal_command with input and output schemas', async () => {
    const { tools } = await alice.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [TERMINAL_TOOL]);
    const tool = tools[0];
    assert.deepEqual(Object.keys(tool?.inputSchema.properties ?? {}).sort(), ['command', 'cwd', 'timeout_ms']);
    assert.deepEqual(tool?.inputSchema.required, ['command']);
    for (const key of ['stdout', 'stderr', 'exit_code', 'duration_ms', 'truncated']) assert.ok(tool?.outputSchema?.properties?.[key], key);
  });

  it('runs an allowed command at once and returns structured output', async () => {
    const call = await alice.run({ command: 'echo hello "big world"' });
    assert.equal(call.isError, false);
    assert.equal(call.report.outcome, 'ran');
    assert.equal(call.report.stdout, 'hello big world\n');
    assert.equal(call.report.exit_code, 0);
    assert.equal(call.report.truncated, false);
    assert.equal(call.report.rule, 'program:echo');
    assert.deepEqual(JSON.parse(call.text), call.report);
  });

  it('runs pwd, ls and date for a new user, in the workspace', async () => {
    assert.equal((await alice.run({ command: 'pwd' })).report.stdout, `${fx.workspace}\n`);
    assert.equal((await alice.run({ command: 'pwd', cwd: 'sub' })).report.stdout, `${join(fx.workspace, 'sub')}\n`);
    assert.match((await alice.run({ command: 'ls -la' })).report.stdout, /notes\.txt/);
    assert.match((await alice.run({ command: 'date -u +%Y' })).report.stdout, /^\d{4}\n$/);
  });

  it('reports a failing program as ran with its exit code (not an error)', async () => {
    const call = await alice.run({ command: 'ls missing-file' });
    assert.equal(call.isError, false);
    assert.notEqual(call.report.exit_code, 0);
    assert.match(call.report.stderr, /missing-file/);
  });

  const injections: [string, string][] = [
    ['echo hi; cat /etc/passwd', 'shell-operators'],
    ['echo hi && id', 'shell-operators'],
    ['cat notes.txt | sh', 'shell-operators'],
    ['echo $(id)', 'shell-operators'],
    ['echo `id`', 'shell-operators'],
    ['echo hi\nid', 'control-characters'],
    ['cat notes.txt\u0000', 'control-characters'],
    ['echo hi\uff1b id', 'lookalike-characters'],
    ['echo hi \uff5c id', 'lookalike-characters'],
    ['/usr/bin/id', 'bare-name'],
    ['sh -c id', 'program:sh'],
    ['setsid sleep 100', 'program:setsid'],
  ];
  for (const [command, rule] of injections) {
    it(`refuses ${JSON.stringify(command)} with isError and rule ${rule}`, async () => {
      const call = await alice.run({ command });
      assert.equal(call.isError, true);
      assert.equal(call.report.outcome, 'denied');
      assert.equal(call.report.rule, rule);
      assert.equal(call.report.ran, false);
      assert.ok(call.text.includes(`rule: ${rule}`));
    });
  }

  it('says "shell operators are not supported" plainly', async () => {
    const call = await alice.run({ command: 'ls && id' });
    assert.match(call.text, /^Shell operators are not supported: run one program with plain arguments/);
  });

  it('wants the working directory to exist and be a directory', async () => {
    for (const cwd of ['missing', 'notes.txt']) {
      const call = await alice.run({ command: 'pwd', cwd });
      assert.equal(call.report.outcome, 'invalid', cwd);
      assert.equal(call.report.rule, 'workspace:cwd');
    }
  });

  it('fails closed on an unterminated quote', async () => {
    const call = await alice.run({ command: 'echo "unterminated' });
    assert.equal(call.report.outcome, 'invalid');
    assert.equal(call.report.rule, 'unterminated-quote');
  });

  it('sends an option off the allowlist to approval instead of running it (argument injection)', async () => {
    for (const command of ['ls --color=always', 'date --debug', 'cat --show-all notes.txt', 'head -v notes.txt']) {
      const call = await alice.run({ command });
      assert.equal(call.report.outcome, 'approval_required', command);
      assert.equal(call.report.ran, false);
    }
    const set = await alice.run({ command: 'date --set=2020-01-01' });
    assert.equal(set.report.outcome, 'denied');
    assert.equal(set.report.rule, 'program:date:deny-flags');
  });

  const escapes: [string, { command: string; cwd?: string }, string][] = [
    ['cwd ..', { command: 'ls', cwd: '..' }, 'workspace:cwd'],
    ['cwd absolute', { command: 'ls', cwd: '/etc' }, 'workspace:cwd'],
    ['cwd sibling prefix', { command: 'ls', cwd: '../workspace-evil' }, 'workspace:cwd'],
    ['cwd through a symlink', { command: 'ls', cwd: 'etc-link' }, 'workspace:cwd'],
    ['cwd with a NUL byte', { command: 'ls', cwd: 'sub\u0000/../..' }, 'workspace:cwd'],
    ['path ..', { command: 'cat ../workspace-evil/loot.txt' }, 'workspace:path'],
    ['path absolute', { command: 'cat /etc/passwd' }, 'workspace:path'],
    ['path through a symlink', { command: 'cat etc-link/passwd' }, 'workspace:path'],
    ['path after --', { command: 'ls -- /etc' }, 'workspace:path'],
    ['path with an unlisted option', { command: 'ls --color /etc' }, 'workspace:path'],
  ];
  for (const [name, args, rule] of escapes) {
    it(`refuses to leave the workspace: ${name}`, async () => {
      const call = await alice.run(args);
      assert.equal(call.report.outcome, 'denied');
      assert.equal(call.report.rule, rule);
    });
  }

  it('caps output at 256 KiB and flags it truncated', async () => {
    const call = await alice.run({ command: 'cat big.txt' });
    assert.equal(call.report.outcome, 'ran');
    assert.equal(call.report.truncated, true);
    assert.equal(call.report.stdout.length, 128 * 1024);
  });

  it('strips terminal escapes from output', async () => {
    const call = await alice.run({ command: 'cat ansi.txt' });
    assert.equal(call.report.stdout, 'red\n');
  });

  it('asks for approval for unknown programs, with the exact argv, cwd and hash', async () => {
    const call = await alice.run({ command: 'id -u', cwd: 'sub' });
    assert.equal(call.isError, true);
    assert.equal(call.report.outcome, 'approval_required');
    assert.equal(call.report.rule, 'unknown-program');
    assert.deepEqual(call.report.argv, ['id', '-u']);
    assert.equal(call.report.cwd, 'sub');
    assert.match(call.report.argv_sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it('audits every call: identity, argv, decision, rule, exit, bytes, never env or tokens', async () => {
    await alice.run({ command: 'echo audited' });
    await alice.run({ command: 'echo a; id' });
    const [refused, ran] = fx.audit.recent(2);
    assert.equal(ran?.outcome, 'ran');
    assert.equal(ran?.identity, `service:${USERS.alice}`);
    assert.equal(ran?.acting_user_id, USERS.alice);
    assert.equal(ran?.argv, JSON.stringify(['echo', 'audited']));
    assert.equal(ran?.rule, 'program:echo');
    assert.equal(ran?.exit_code, 0);
    assert.equal(ran?.stdout_bytes, 8);
    assert.equal(ran?.transport, 'memory');
    assert.equal(refused?.outcome, 'denied');
    assert.equal(refused?.rule, 'shell-operators');
    assert.equal(refused?.command, 'echo a; id');
    const dump = JSON.stringify(fx.audit.recent(100));
    assert.doesNotMatch(dump, /test-jwt-secret|test-mcp-service-token/);
  });

  it('answers bad arguments with isError, not a protocol error', async () => {
    const result = await alice.client.callTool({ name: TERMINAL_TOOL, arguments: { program: 'ls' } });
    assert.equal(result.isError, true);
  });

  it('lets the service identity run allowed commands too', async () => {
    const service = await connectInMemory(fx.commands, SERVICE_IDENTITY);
    try {
      assert.equal((await service.run({ command: 'echo svc' })).report.stdout, 'svc\n');
      assert.equal(fx.audit.recent(1)[0]?.identity, 'service:none');
    } finally {
      await service.close();
    }
  });
});
