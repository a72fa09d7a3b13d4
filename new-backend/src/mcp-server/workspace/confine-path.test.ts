import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../../test/kit/index.js';
import { confinePath } from './confine-path.js';

describe('workspace confinement (T6)', () => {
  const tmp = tempDir('mcp-ws-');
  let root = '';
  before(() => {
    const base = realpathSync(tmp.path);
    root = join(base, 'ws');
    mkdirSync(join(root, 'sub', 'deep'), { recursive: true });
    mkdirSync(join(base, 'ws-evil'));
    writeFileSync(join(base, 'ws-evil', 'secret'), 'x');
    writeFileSync(join(root, 'notes.txt'), 'hi');
    symlinkSync('/etc', join(root, 'etc-link'));
    symlinkSync(join(root, 'sub'), join(root, 'sub-link'));
    symlinkSync('/etc/definitely-not-here', join(root, 'dangling'));
  });
  after(() => tmp.cleanup());

  const escapes: [string, string][] = [
    ['parent climb', '..'],
    ['deep climb', 'sub/../../ws-evil/secret'],
    ['absolute path', '/etc/passwd'],
    ['sibling prefix', '../ws-evil'],
    ['symlink out', 'etc-link/passwd'],
    ['symlink dir out', 'etc-link'],
    ['missing file under a symlink out', 'etc-link/new-file'],
    ['dangling symlink', 'dangling'],
    ['NUL byte', 'notes.txt\0.png'],
  ];
  for (const [name, input] of escapes) {
    it(`refuses ${name}: ${JSON.stringify(input)}`, () => {
      assert.equal(confinePath(root, root, input).ok, false);
    });
  }

  const inside: [string, string, string][] = [
    ['the root', '.', '.'],
    ['a file', 'notes.txt', 'notes.txt'],
    ['a nested dir', 'sub/deep', 'sub/deep'],
    ['a climb that stays inside', 'sub/deep/../..', '.'],
    ['a symlink inside', 'sub-link/deep', 'sub/deep'],
    ['a file that does not exist yet', 'sub/new.txt', 'sub/new.txt'],
  ];
  for (const [name, input, rel] of inside) {
    it(`accepts ${name}`, () => {
      const confined = confinePath(root, root, input);
      assert.ok(confined.ok);
      assert.equal(confined.relative, rel);
    });
  }

  it('resolves relative paths against the working directory', () => {
    const confined = confinePath(root, join(root, 'sub'), 'deep');
    assert.ok(confined.ok);
    assert.equal(confined.relative, 'sub/deep');
    assert.equal(confinePath(root, join(root, 'sub'), '../..').ok, false);
  });
});
