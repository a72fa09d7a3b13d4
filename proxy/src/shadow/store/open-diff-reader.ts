import { existsSync } from 'node:fs';
import { openDatabase } from '../../../../lib/sqlite.js';
import { createDiffQueries, type DiffQueries } from './diff-queries.js';
import { registerDiffFunctions } from './diff-schema.js';
import { createDiffStore } from './diff-store.js';

/**
 * Reads a diffs file without changing it (the CLI, while the proxy writes): undefined
 * when the file does not exist; a file without tables reads as empty.
 */
export function openDiffReader(path: string, clock: () => number = Date.now): { queries: DiffQueries; close(): void } | undefined {
  if (!existsSync(path)) return undefined;
  const db = openDatabase(path, { readonly: true });
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t) => t.name);
  if (!tables.includes('diffs') || !tables.includes('shadow_events') || !tables.includes('shadow_noise')) {
    db.close();
    const empty = createDiffStore(openDatabase(':memory:'), {}, true);
    return { queries: empty, close: () => empty.close() };
  }
  registerDiffFunctions(db);
  return { queries: createDiffQueries(db, clock), close: () => db.close() };
}

