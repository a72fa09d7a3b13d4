import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` so a reader (the proxy's watcher) sees the old content or the new, never
 * half: a temp file in the same folder (rename is atomic only within one file system),
 * flushed, given the old file's mode, then renamed over it. `file` must be a real path
 * (resolve symlinks first, or the link itself gets replaced).
 */
export function writeFileAtomic(file: string, text: string, newFileMode = 0o644): void {
  let mode = newFileMode;
  try {
    mode = statSync(file).mode & 0o7777;
  } catch {
    // a new file keeps the default mode
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    fchmodSync(fd, mode); // openSync's mode is masked by the umask
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(temp); } catch { /* never created */ }
    throw err;
  }
}
