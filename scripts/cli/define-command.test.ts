import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureIo } from '../../test/kit/cli-fixture.js';
import { defineCommand } from './define-command.js';

const usage = 'strangler demo --route R [--count N] [--json]';
const command = defineCommand({
  name: 'demo',
  usage,
  options: { route: { type: 'string', short: 'r' }, count: { type: 'string' }, json: { type: 'boolean' }, header: { type: 'string', multiple: true } },
  maxPositionals: 1,
});

describe('defineCommand', () => {
  it('gives the values typed as declared, and the positionals', () => {
    const parsed = command.parse(['users', '-r', 'users', '--json', '--header', 'a', '--header', 'b'], captureIo('/'));
    assert.equal(parsed.exit, undefined);
    if (parsed.exit !== undefined) return;
    const route: string | undefined = parsed.values.route;
    const json: boolean | undefined = parsed.values.json;
    const headers: string[] | undefined = parsed.values.header;
    assert.deepEqual([route, json, headers, parsed.positionals], ['users', true, ['a', 'b'], ['users']]);
    assert.equal('help' in parsed.values, false);
  });

  for (const args of [['--help'], ['-h'], ['--route', 'users', '--help'], ['--nope', '--help']]) {
    it(`answers ${args.join(' ')} with the usage on stdout, exit 0`, () => {
      const io = captureIo('/');
      assert.deepEqual(command.parse(args, io), { exit: 0 });
      assert.deepEqual([io.stdout, io.stderr], [[usage], []]);
    });
  }

  const bad: Array<[string, string[], string]> = [
    ['an unknown option, with the one meant', ['--rout', 'users'], "Unknown option '--rout' (did you mean --route?)"],
    ['an unknown short option, with the one meant', ['-R', 'users'], "Unknown option '-R' (did you mean -r?)"],
    ['an unknown option like no other', ['--force'], "Unknown option '--force'"],
    ['an option without its value', ['--route'], "Option '-r, --route <value>' argument missing"],
    ['a value given to a flag', ['--json=yes'], "Option '--json' does not take an argument"],
    ['one positional too many', ['users', 'mcp'], 'unexpected argument mcp'],
  ];
  for (const [what, args, message] of bad) {
    it(`reports ${what}: the command, the argument and the usage on stderr, exit 2`, () => {
      const io = captureIo('/');
      assert.deepEqual(command.parse(args, io), { exit: 2 });
      assert.deepEqual([io.stdout, io.stderr], [[], [`strangler demo: ${message}\n\n${usage}`]]);
    });
  }

  it('reports a problem the command finds itself the same way', () => {
    const io = captureIo('/');
    const parsed = command.parse(['--count', 'many'], io);
    assert.equal(parsed.exit, undefined);
    if (parsed.exit !== undefined) return;
    assert.equal(parsed.fail('--count many: give a whole number from 1'), 2);
    assert.deepEqual(io.stderr, [`strangler demo: --count many: give a whole number from 1\n\n${usage}`]);
  });
});
