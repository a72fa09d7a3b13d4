import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/kit/index.js';
import { editRoutesText, loadRouteTable, updateRouteInFile, updateRoutesInFile } from './index.js';
import { COMMENTED } from '../../../test/kit/proxy/routes-yaml-examples.js';

const edit = (text: string, route: string, change: Parameters<typeof updateRouteInFile>[2]) => editRoutesText(text, [{ route, change }], { source: 'routes.yaml', env: {} });

/** The lines of `after` that differ from `before`, as [before, after] pairs (same line count). */
function lineChanges(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) };
}

describe('editRoutesText keeps every other byte', () => {
  it('moves a target by rewriting only that value', () => {
    const r = edit(COMMENTED, 'auth', { target: 'new' });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.changes, ['auth: legacy -> new']);
    assert.equal(r.text, COMMENTED.replace('    target: legacy      # still old', '    target: new      # still old'));
  });

  it('keeps the quotes of a quoted target', () => {
    const r = edit(COMMENTED, 'mcp', { target: 'new' });
    assert.ok(r.ok);
    assert.equal(r.text, COMMENTED.replace('    target: "legacy"', '    target: "new"'));
  });

  it('adds a canary on its own line under the target, at the same indent', () => {
    const r = edit(COMMENTED, 'users', { canary: { to: 'new', percent: 25 } });
    assert.ok(r.ok);
    assert.deepEqual(r.changes, ['users: canary 25% -> new']);
    assert.equal(r.text, COMMENTED.replace('    target: legacy\n    # canary', '    target: legacy\n    canary: { to: new, percent: 25 }\n    # canary'));
  });

  it('changes a canary percent in place, then removes the canary line', () => {
    const one = edit(COMMENTED, 'users', { canary: { to: 'new', percent: 25 } });
    assert.ok(one.ok);
    const two = edit(one.text, 'users', { canary: { to: 'new', percent: 50 } });
    assert.ok(two.ok);
    assert.deepEqual(two.changes, ['users: canary new 25% -> 50%']);
    assert.deepEqual(lineChanges(one.text, two.text), { removed: ['    canary: { to: new, percent: 25 }'], added: ['    canary: { to: new, percent: 50 }'] });
    const three = edit(two.text, 'users', { canary: null });
    assert.ok(three.ok);
    assert.deepEqual(three.changes, ['users: canary new 50% removed']);
    assert.equal(three.text, COMMENTED);
  });

  it('edits a block-style canary value by value and removes all its lines', () => {
    const text = COMMENTED.replace('    target: legacy\n    # canary', '    target: legacy\n    canary:   # trial\n      to: new\n      percent: 5   # careful\n    # canary');
    const r = edit(text, 'users', { canary: { to: 'new', percent: 10 } });
    assert.ok(r.ok);
    assert.equal(r.text, text.replace('percent: 5   # careful', 'percent: 10   # careful'));
    const gone = edit(text, 'users', { canary: null });
    assert.ok(gone.ok);
    assert.equal(gone.text, COMMENTED);
  });

  it('moving the target to the canary backend removes the canary', () => {
    const one = edit(COMMENTED, 'users', { canary: { to: 'new', percent: 25 } });
    assert.ok(one.ok);
    const two = edit(one.text, 'users', { target: 'new' });
    assert.ok(two.ok);
    assert.deepEqual(two.changes, ['users: legacy -> new', 'users: canary new 25% removed']);
    assert.equal(two.text, COMMENTED.replace('    target: legacy\n    # canary', '    target: new\n    # canary'));
  });

  it('cuts over a route that shadows to the new target, and back (the shadow stays, paused while on new)', () => {
    const shadowed = `version: 1\nbackends:\n  legacy: { url: http://127.0.0.1:1, auth: session }\n  new: { url: http://127.0.0.1:2, auth: jwt }\ndefault: legacy\nroutes:\n  - name: users\n    paths: [/users]\n    target: legacy\n    shadow: { to: new }\n`;
    const one = edit(shadowed, 'users', { target: 'new' });
    assert.ok(one.ok, one.ok ? '' : one.errors.join('\n'));
    assert.deepEqual(one.changes, ['users: legacy -> new']);
    const two = edit(one.text, 'users', { target: 'legacy' });
    assert.ok(two.ok);
    assert.equal(two.text, shadowed);
  });

  it('edits flow-style routes', () => {
    const text = 'version: 1\nbackends: { legacy: { url: "http://127.0.0.1:1", auth: session }, new: { url: "http://127.0.0.1:2", auth: jwt } }\ndefault: legacy\nroutes:\n  - { name: users, paths: [/users], target: legacy }   # keep me\n';
    const r = edit(text, 'users', { target: 'new' });
    assert.ok(r.ok);
    assert.equal(r.text, text.replace('target: legacy }', 'target: new }'));
    const c = edit(text, 'users', { canary: { to: 'new', percent: 5 } });
    assert.ok(c.ok);
    assert.equal(c.text, text.replace('target: legacy }', 'target: legacy, canary: { to: new, percent: 5 } }'));
    const removed = edit(c.text, 'users', { canary: null });
    assert.ok(removed.ok, removed.ok ? '' : removed.errors.join('\n'));
    assert.match(removed.text, /# keep me/);
    assert.doesNotMatch(removed.text, /canary/);
  });

  it('keeps Windows line endings', () => {
    const crlf = COMMENTED.replace(/\n/g, '\r\n');
    const one = edit(crlf, 'users', { canary: { to: 'new', percent: 25 } });
    assert.ok(one.ok);
    assert.doesNotMatch(one.text, /[^\r]\n/);
    const two = edit(one.text, 'users', { canary: null });
    assert.ok(two.ok);
    assert.equal(two.text, crlf);
  });

  it('adds a canary to a route whose last line has no newline', () => {
    const text = COMMENTED.replace(/\n# trailing comment\n$/, '');
    const r = edit(text, 'mcp', { canary: { to: 'new', percent: 1 } });
    assert.ok(r.ok);
    assert.equal(r.text, `${text}\n    canary: { to: new, percent: 1 }\n`);
  });

  it('says nothing changes when the file already says so', () => {
    const r = edit(COMMENTED, 'users', { target: 'legacy', canary: null });
    assert.deepEqual(r, { ok: true, text: COMMENTED, changes: [] });
  });

  const refusals: [string, string, Parameters<typeof edit>[2], RegExp][] = [
    ['an unknown route, listing the known ones', 'usres', { target: 'new' }, /^unknown route "usres" \(known: auth, users, mcp\): did you mean "users"\?$/],
    ['an unknown backend', 'users', { target: 'nwe' }, /^users: target: unknown backend "nwe" \(known: legacy, new\)/],
    ['a canary to the target itself', 'users', { canary: { to: 'legacy', percent: 5 } }, /a canary to legacy means nothing while users already targets legacy/],
    ['a percent out of range', 'users', { canary: { to: 'new', percent: 150 } }, /percent must be 0-100/],
  ];
  for (const [name, route, change, error] of refusals) {
    it(`refuses ${name}`, () => {
      const r = edit(COMMENTED, route, change);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.errors.join('\n'), error);
    });
  }

  it('refuses to edit a file that is invalid already', () => {
    const r = edit(COMMENTED.replace('target: "legacy"', 'target: nwe'), 'users', { target: 'new' });
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.errors, ['routes.yaml is invalid as it stands; fix these first (strangler validate):', 'routes.yaml:25: routes[2].target: unknown backend "nwe" (known: legacy, new): did you mean "new"?']);
  });
});

describe('updateRouteInFile', () => {
  const dir = tempDir('strangler-config-');
  before(() => mkdirSync(dir.path, { recursive: true }));
  after(() => dir.cleanup());
  let n = 0;
  function fresh(text = COMMENTED): string {
    const folder = join(dir.path, `case-${n++}`);
    mkdirSync(folder);
    const file = join(folder, 'routes.yaml');
    writeFileSync(file, text);
    return file;
  }

  it('writes the change, keeps the mode, and leaves no temp file', () => {
    const file = fresh();
    chmodSync(file, 0o640);
    const r = updateRouteInFile(file, 'users', { target: 'new' }, {});
    assert.deepEqual(r, { ok: true, changes: ['users: legacy -> new'] });
    const loaded = loadRouteTable(file, {});
    assert.ok(loaded.ok);
    assert.equal(loaded.table.routes[1]?.target, 'new');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(file, '..')), ['routes.yaml']);
  });

  it('replaces the file by rename (a new inode), so a reader never sees half of it', () => {
    const file = fresh();
    const inode = statSync(file).ino;
    assert.ok(updateRouteInFile(file, 'users', { target: 'new' }, {}).ok);
    assert.notEqual(statSync(file).ino, inode);
  });

  it('leaves the file untouched when the result would not validate', () => {
    const file = fresh();
    const r = updateRouteInFile(file, 'users', { target: 'nope' }, {});
    assert.equal(r.ok, false);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED);
    assert.deepEqual(readdirSync(join(file, '..')), ['routes.yaml']);
  });

  it('writes through a symlink to the real file, keeping the link', () => {
    const file = fresh();
    const link = join(file, '..', 'link.yaml');
    symlinkSync(file, link);
    assert.ok(updateRouteInFile(link, 'auth', { target: 'new' }, {}).ok);
    assert.ok(statSync(link).isFile());
    assert.equal(readFileSync(link, 'utf8'), readFileSync(file, 'utf8'));
    assert.match(readFileSync(file, 'utf8'), /target: new {6}# still old/);
  });

  it('changes several routes in one write', () => {
    const file = fresh();
    const r = updateRoutesInFile(file, ['auth', 'users', 'mcp'].map((route) => ({ route, change: { target: 'new' } })), {});
    assert.deepEqual(r, { ok: true, changes: ['auth: legacy -> new', 'users: legacy -> new', 'mcp: legacy -> new'] });
  });

  it('reports a missing file as an error value', () => {
    const r = updateRouteInFile(join(dir.path, 'missing.yaml'), 'users', { target: 'new' }, {});
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.errors[0] ?? '', /missing\.yaml: no such file/);
  });
});
