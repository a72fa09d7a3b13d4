import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export type Confined =
  | { ok: true; real: string; relative: string; exists: boolean }
  | { ok: false; reason: string };

/**
 * Resolves `input` against `base` and proves the result stays inside `root` (SECURITY T6):
 * realpath first (symlinks followed; for a path that does not exist yet, the realpath of
 * its nearest existing ancestor), then `path.relative(root, real)` must neither climb
 * (`..`) nor be absolute. A string prefix test would let `/ws-evil` pass for `/ws`.
 * A dangling symlink is refused: whatever follows it would land outside our check.
 * `root` must already be a real path.
 */
export function confinePath(root: string, base: string, input: string): Confined {
  if (input.includes('\0')) return { ok: false, reason: 'the path holds a NUL byte' };
  const real = realpathOfNearest(resolve(base, input));
  if (!real.ok) return { ok: false, reason: `"${input}" ${real.reason}` };
  const rel = relative(root, real.path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return { ok: false, reason: `"${input}" is outside the workspace` };
  }
  return { ok: true, real: real.path, relative: rel === '' ? '.' : rel.split(sep).join('/'), exists: real.exists };
}

type Resolved = { ok: true; path: string; exists: boolean } | { ok: false; reason: string };

function realpathOfNearest(path: string): Resolved {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      const real = realpathSync(current);
      return { ok: true, path: rest.length ? join(real, ...rest.reverse()) : real, exists: rest.length === 0 };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ok: false, reason: 'cannot be resolved' };
      if (isSymlink(current)) return { ok: false, reason: 'is a dangling symbolic link' };
      const parent = dirname(current);
      if (parent === current) return { ok: false, reason: 'cannot be resolved' };
      rest.push(basename(current));
      current = parent;
    }
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
