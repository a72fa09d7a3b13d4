import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

/** Returns a problem with a program path, or undefined when it is safe to run. */
export type BinaryCheck = (path: string) => string | undefined;

/**
 * A program the policy names must be an executable regular file that only root can
 * replace: the file and every directory above its real path owned by root and not
 * writable by group or others (T4). A writable directory on the way would let anyone
 * swap the binary after the policy was reviewed.
 */
export const checkBinary: BinaryCheck = (path) => {
  if (!isAbsolute(path)) return `"${path}" is not an absolute path: write the full path, e.g. /usr/bin/ls`;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return `"${path}" does not exist: install it or remove the entry`;
  }
  const file = statSync(real);
  if (!file.isFile()) return `"${path}" is not a regular file`;
  try {
    accessSync(real, constants.X_OK);
  } catch {
    return `"${path}" is not executable`;
  }
  for (let p = real; ; p = dirname(p)) {
    const st = statSync(p);
    if (st.uid !== 0) return `"${p}" is not owned by root: programs must live in a root-owned directory such as /usr/bin`;
    if ((st.mode & 0o022) !== 0) return `"${p}" is writable by group or others: programs must live in a directory only root can write`;
    if (dirname(p) === p) break;
  }
  return undefined;
};
