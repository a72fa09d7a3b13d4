import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy } from './evaluate-policy.js';
import { compilePolicy, loadPolicyFile } from './load-policy.js';
import type { Policy } from './policy.js';

const loaded = loadPolicyFile(fileURLToPath(new URL('../../../../mcp-policy.yaml', import.meta.url)));
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const policy: Policy = loaded.policy;

describe('evaluatePolicy with the repo policy (T5, T8)', () => {
  const cases: [string[], string, string, string[]?][] = [
    // [argv, decision, rule, args passed]
    [['echo', 'hello', 'world'], 'allow', 'program:echo', ['hello', 'world']],
    [['echo', '-n', 'hi'], 'allow', 'program:echo', ['-n', 'hi']],
    [['echo', '-e', 'hi'], 'approve', 'program:echo:flags'],
    [['pwd'], 'allow', 'program:pwd', []],
    [['pwd', 'extra'], 'approve', 'program:pwd:positionals'],
    [['date'], 'allow', 'program:date', []],
    [['date', '-u', '+%s'], 'allow', 'program:date', ['-u', '--', '+%s']],
    [['date', '010100002020'], 'approve', 'program:date:positionals'],
    [['date', '-s', '2020-01-01'], 'deny', 'program:date:deny-flags'],
    [['date', '--set=2020-01-01'], 'deny', 'program:date:deny-flags'],
    [['date', '-s2020-01-01'], 'deny', 'program:date:deny-flags'],
    [['date', '-f', '/etc/shadow'], 'deny', 'program:date:deny-flags'],
    // Abbreviated and bundled spellings of a denied option (GNU getopt reads them as -f/--file).
    [['date', '--f=/etc/passwd'], 'deny', 'program:date:deny-flags'],
    [['date', '--fi', '/etc/passwd'], 'deny', 'program:date:deny-flags'],
    [['date', '-Rf', '/etc/passwd'], 'deny', 'program:date:deny-flags'],
    [['date', '-uf/etc/passwd'], 'deny', 'program:date:deny-flags'],
    [['date', '--se=2020-01-01'], 'deny', 'program:date:deny-flags'],
    [['date', '-uR'], 'approve', 'program:date:flags'],
    [['date', '--utc', '+%s'], 'allow', 'program:date', ['--utc', '--', '+%s']],
    [['rm', '--no-preserve', '-rf', '/'], 'deny', 'program:rm:deny-flags'],
    [['ls', '-la', 'src'], 'allow', 'program:ls', ['-la', '--', 'src']],
    [['ls', '--', '-weird-name'], 'allow', 'program:ls', ['--', '-weird-name']],
    [['ls', '--color=always'], 'approve', 'program:ls:flags'],
    [['ls', '-laR'], 'approve', 'program:ls:flags'],
    [['head', '-n', '5', 'notes.txt'], 'allow', 'program:head', ['-n', '5', '--', 'notes.txt']],
    [['head', '--lines=5', 'notes.txt'], 'allow', 'program:head', ['--lines=5', '--', 'notes.txt']],
    [['head', '-n', 'x', 'notes.txt'], 'approve', 'program:head:flags'],
    [['head', '-n'], 'approve', 'program:head:flags'],
    [['cat'], 'approve', 'program:cat:positionals'],
    [['grep', '-i', 'todo', 'notes.txt'], 'allow', 'program:grep', ['-i', '--', 'todo', 'notes.txt']],
    [['rm', 'notes.txt'], 'approve', 'program:rm', ['notes.txt']],
    [['rm', '--no-preserve-root', '-rf', '/'], 'deny', 'program:rm:deny-flags'],
    [['sh', '-c', 'id'], 'deny', 'program:sh'],
    [['setsid', 'sleep', '100'], 'deny', 'program:setsid'],
    [['nohup', 'sleep'], 'deny', 'program:nohup'],
    [['sleep', '1'], 'approve', 'unknown-program', ['1']],
    [['id'], 'approve', 'unknown-program', []],
  ];
  for (const [argv, decision, rule, args] of cases) {
    it(`${argv.join(' ')} → ${decision} (${rule})`, () => {
      const result = evaluatePolicy(policy, argv);
      assert.equal(result.decision, decision, result.reason);
      assert.equal(result.rule, rule);
      if (args) assert.deepEqual(result.args, args);
    });
  }

  it('types path arguments so the caller can confine them', () => {
    assert.deepEqual(evaluatePolicy(policy, ['grep', '-r', 'x', 'a', 'b']).paths, ['a', 'b']);
    assert.deepEqual(evaluatePolicy(policy, ['echo', '/etc/passwd']).paths, []);
    assert.deepEqual(evaluatePolicy(policy, ['ls', '--color', '/etc']).paths, ['/etc']);
  });

  it('passes argv as typed once approval is the outcome', () => {
    assert.deepEqual(evaluatePolicy(policy, ['ls', '--color', 'x']).args, ['--color', 'x']);
  });
});

describe('precedence deny > approve > allow (T8)', () => {
  const compiled = compilePolicy({
    version: 1,
    defaults: { unknown_program: 'deny' },
    programs: {
      ls: { decision: 'allow', path: '/usr/bin/ls', flags: ['-l'], deny_flags: ['--dired'], positionals: { kind: 'path', max: 2 } },
      touch: { decision: 'approve', path: '/usr/bin/touch', deny_flags: ['-r'] },
    },
  });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const p = compiled.policy;
  const cases: [string[], string, string][] = [
    [['ls', '-l'], 'allow', 'program:ls'],
    [['ls', '-x'], 'approve', 'program:ls:flags'],
    [['ls', '-x', '--dired'], 'deny', 'program:ls:deny-flags'],
    [['ls', '--dired', '-x', 'a', 'b', 'c'], 'deny', 'program:ls:deny-flags'],
    [['touch', 'a'], 'approve', 'program:touch'],
    [['touch', '-r', 'a', 'b'], 'deny', 'program:touch:deny-flags'],
    [['id'], 'deny', 'unknown-program'],
  ];
  for (const [argv, decision, rule] of cases) {
    it(`${argv.join(' ')} → ${decision}`, () => {
      const result = evaluatePolicy(p, argv);
      assert.equal(result.decision, decision);
      assert.equal(result.rule, rule);
    });
  }
});
