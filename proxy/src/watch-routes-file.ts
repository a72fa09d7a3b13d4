import { watch, realpathSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../../lib/logger.js';

export interface RoutesFileWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs. Default 150 ms. */
  readonly debounceMs?: number;
  readonly logger?: Logger;
}

/**
 * Calls `onChange` (debounced) whenever routes.yaml may have changed: written in place,
 * replaced by a rename (editors, `strangler cutover`), or swapped under a symlinked folder
 * (a Kubernetes ConfigMap's `..data` link). It watches the file's folder, the folder of
 * the file a symlink resolves to, and the file itself, and re-arms after every change
 * because a rename leaves the old watch on a deleted file. Events are hints: the caller
 * re-reads and compares content.
 */
export function watchRoutesFile(file: string, onChange: () => void, options: WatchOptions = {}): RoutesFileWatcher {
  const path = resolve(file);
  const debounceMs = options.debounceMs ?? 150;
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  // A folder sees every file in it change (logs, databases): only names that can change
  // what the path resolves to count. `..x` are a ConfigMap's swap entries (`..data`).
  const relevant = new Set<string>();
  const onFolderEvent = (_event: string, name: string | Buffer | null) => {
    const entry = name === null ? undefined : String(name);
    if (entry === undefined || relevant.has(entry) || entry.startsWith('..')) schedule();
  };

  function fire(): void {
    timer = undefined;
    if (closed) return;
    try {
      onChange();
    } finally {
      arm();
    }
  }

  function add(key: string, target: string): void {
    if (watchers.has(key)) return;
    try {
      const watcher = watch(target, { persistent: false }, key.startsWith('dir:') ? onFolderEvent : schedule);
      watcher.on('error', () => {
        // The watched file or folder went away (a rename, a swap): re-arm on the next event.
        watcher.close();
        if (watchers.get(key) === watcher) watchers.delete(key);
        schedule();
      });
      watchers.set(key, watcher);
    } catch (err) {
      options.logger?.debug({ target, code: (err as NodeJS.ErrnoException).code }, 'cannot watch (yet)');
    }
  }

  function arm(): void {
    if (closed) return;
    add(`dir:${dirname(path)}`, dirname(path));
    let real: string | undefined;
    try {
      real = realpathSync(path);
    } catch {
      real = undefined;
    }
    relevant.clear();
    relevant.add(basename(path));
    if (real) relevant.add(basename(real));
    if (real && dirname(real) !== dirname(path)) add(`dir:${dirname(real)}`, dirname(real));
    // The file watch follows the inode: replace it each time, the old one may watch a deleted file.
    const fileKey = `file:${path}`;
    watchers.get(fileKey)?.close();
    watchers.delete(fileKey);
    if (real) add(fileKey, path);
    // A resolved folder that is no longer on the path (after a symlink swap) is dropped.
    for (const [key, watcher] of watchers) {
      if (key.startsWith('dir:') && key !== `dir:${dirname(path)}` && (!real || key !== `dir:${dirname(real)}`)) {
        watcher.close();
        watchers.delete(key);
      }
    }
  }

  arm();
  options.logger?.debug({ file: path, watching: [...watchers.keys()] }, 'watching the routes file');
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
