import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from './parse-command.js';

describe('parseCommand: refused before tokenizing (T2) or while tokenizing (T3, T4)', () => {
  const refused: [string, string, string][] = [
    ['semicolon', 'echo a; rm -rf x', 'shell-operators'],
    ['and-and', 'ls && rm x', 'shell-operators'],
    ['pipe', 'cat x | sh', 'shell-operators'],
    ['command substitution', 'echo $(id)', 'shell-operators'],
    ['variable', 'echo $HOME', 'shell-operators'],
    ['backticks', 'echo `id`', 'shell-operators'],
    ['redirect out', 'echo hi > /etc/passwd', 'shell-operators'],
    ['redirect in', 'cat < /etc/shadow', 'shell-operators'],
    ['process substitution', 'cat <(id)', 'shell-operators'],
    ['glob star', 'ls *.ts', 'shell-operators'],
    ['glob question', 'ls ?', 'shell-operators'],
    ['brace expansion', 'echo {a,b}', 'shell-operators'],
    ['tilde', 'ls ~', 'shell-operators'],
    ['history bang', 'echo !!', 'shell-operators'],
    ['comment', 'echo hi # x', 'shell-operators'],
    ['background', 'sleep 1 &', 'shell-operators'],
    ['newline', 'echo a\nrm x', 'control-characters'],
    ['carriage return', 'echo a\rrm x', 'control-characters'],
    ['NUL', 'cat a\u0000b', 'control-characters'],
    ['tab', 'echo\ta', 'control-characters'],
    ['escape', 'echo \u001b[31m', 'control-characters'],
    ['fullwidth semicolon', 'echo a\uff1b rm x', 'lookalike-characters'],
    ['fullwidth pipe', 'echo a \uff5c sh', 'lookalike-characters'],
    ['fullwidth dollar', 'echo \uff04HOME', 'lookalike-characters'],
    ['small ampersand', 'echo a \ufe60 id', 'lookalike-characters'],
    ['zero-width space', 'ls\u200b -l', 'invisible-characters'],
    ['right-to-left override', 'echo \u202egnp.exe', 'invisible-characters'],
    ['no-break space', 'ls\u00a0-l', 'invisible-characters'],
    ['line separator', 'echo a\u2028rm', 'invisible-characters'],
    ['relative path as program', './x', 'bare-name'],
    ['absolute path as program', '/usr/bin/id', 'bare-name'],
    ['quoted path as program', '"/bin/sh" -c id', 'bare-name'],
    ['option program', '-rf', 'bare-name'],
    ['fullwidth hyphen flag', 'ls \uff0dl', 'lookalike-characters'],
    ['unicode flag letter', 'ls -\u0430', 'lookalike-characters'],
  ];
  for (const [name, command, rule] of refused) {
    it(`refuses ${name}`, () => {
      const parsed = parseCommand(command);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.equal(parsed.rule, rule);
        assert.equal(parsed.kind, 'denied');
      }
    });
  }

  it('names shell operators in a message a person can act on', () => {
    const parsed = parseCommand('ls; id');
    assert.ok(!parsed.ok && parsed.reason.startsWith('Shell operators are not supported: run one program with plain arguments'));
  });

  const invalid: [string, string, string][] = [
    ['an unterminated double quote', 'echo "x', 'unterminated-quote'],
    ['an unterminated single quote', "echo it's", 'unterminated-quote'],
    ['a trailing backslash', 'echo a\\', 'unterminated-quote'],
    ['an empty command', '   ', 'empty-command'],
    ['quotes around nothing', '""', 'bare-name'],
    ['too many arguments', `echo ${'a '.repeat(80)}`, 'too-many-arguments'],
    ['an oversized command', `echo ${'a'.repeat(5000)}`, 'command-too-long'],
  ];
  for (const [name, command, rule] of invalid) {
    it(`fails closed on ${name}`, () => {
      const parsed = parseCommand(command);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.equal(parsed.rule, rule);
    });
  }
});

describe('parseCommand: accepted', () => {
  const accepted: [string, string[]][] = [
    ['echo hello world', ['echo', 'hello', 'world']],
    ['echo "hello  world"', ['echo', 'hello  world']],
    ["echo 'a \"b\"'", ['echo', 'a "b"']],
    ['echo a\\ b', ['echo', 'a b']],
    ['ls -l -a notes', ['ls', '-l', '-a', 'notes']],
    ['date +%Y-%m-%d', ['date', '+%Y-%m-%d']],
    ['echo héllo wörld', ['echo', 'héllo', 'wörld']],
    ['echo ""', ['echo', '']],
    ['python3.11 x', ['python3.11', 'x']],
  ];
  for (const [command, argv] of accepted) {
    it(`splits ${JSON.stringify(command)}`, () => {
      assert.deepEqual(parseCommand(command), { ok: true, argv });
    });
  }
});
