import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deniedOption } from './denied-option.js';

describe('deniedOption: a denied option under any spelling GNU getopt accepts (T5)', () => {
  const date = ['-s', '--set', '-f', '--file'];
  const cases: [string, readonly string[], string | undefined][] = [
    // [argument, deny_flags, the denied entry it reaches]
    ['-f', date, '-f'],
    ['--file', date, '--file'],
    ['--file=/etc/passwd', date, '--file'],
    // Long options abbreviate: GNU expands an unambiguous prefix, and refuses an ambiguous one.
    ['--f', date, '--file'],
    ['--f=/etc/passwd', date, '--file'],
    ['--fi', date, '--file'],
    ['--fil=x', date, '--file'],
    ['--s', date, '--set'],
    ['--se=2020-01-01', date, '--set'],
    // Short options bundle: each letter is an option.
    ['-Rf', date, '-f'],
    ['-uRf', date, '-f'],
    ['-fR', date, '-f'],
    ['-Rs2020', date, '-s'],
    ['-s2020-01-01', date, '-s'],
    // Not denied: other options, longer names, positionals, the end of options.
    ['-R', date, undefined],
    ['-uR', date, undefined],
    ['--utc', date, undefined],
    ['--rfc-email', date, undefined],
    ['--files', date, undefined],
    ['--filex=1', date, undefined],
    ['--', date, undefined],
    ['-', date, undefined],
    ['file', date, undefined],
    ['+%s', date, undefined],
    // A single-dash long option (find's -exec) matches exactly, and is never split.
    ['-exec', ['-exec'], '-exec'],
    ['-execdir', ['-exec'], undefined],
    ['-e', ['-exec'], undefined],
    // A long-only denial is reached by its prefixes, not by short bundles.
    ['--no-preserve', ['--no-preserve-root'], '--no-preserve-root'],
    ['--no', ['--no-preserve-root'], '--no-preserve-root'],
    ['-rf', ['--no-preserve-root'], undefined],
  ];
  for (const [arg, deny, expected] of cases) {
    it(`${arg} with [${deny.join(' ')}] → ${expected ?? 'not denied'}`, () => {
      assert.equal(deniedOption(arg, deny), expected);
    });
  }
});
