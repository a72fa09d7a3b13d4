import { readFileSync, realpathSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { editRoutesText, type RouteChange, type RouteEdit } from './edit-routes.js';
import { readError } from './parse-route-table.js';

export type UpdateResult = { ok: true; changes: string[] } | { ok: false; errors: string[] };

/**
 * Changes one route's target and/or canary in the routes file: comments and layout kept,
 * the result validated before anything is written, written atomically (the proxy's watcher
 * never reads half a file). `changes` is empty when the file already says so.
 *
 * @example
 * updateRouteInFile('routes.yaml', 'users', { canary: { to: 'new', percent: 25 } })
 * // { ok: true, changes: ['users: canary 25% -> new'] }
 */
export function updateRouteInFile(file: string, routeName: string, change: RouteChange, env: NodeJS.ProcessEnv = process.env): UpdateResult {
  return updateRoutesInFile(file, [{ route: routeName, change }], env);
}

/** Several routes in one validated, atomic write (`strangler cutover --all`). */
export function updateRoutesInFile(file: string, edits: readonly RouteEdit[], env: NodeJS.ProcessEnv = process.env): UpdateResult {
  return rewriteRoutesFile(file, (text) => editRoutesText(text, edits, { source: file, env }));
}

export type TextEdit = (text: string) => { ok: true; text: string; changes: string[] } | { ok: false; errors: string[] };

/**
 * The one way the routes file is changed in place: read it, apply `edit` (which validates
 * its result), write atomically; if another writer (a second cutover, the admin API, a
 * rollout step) replaced the file meanwhile, read it again and retry.
 */
export function rewriteRoutesFile(file: string, edit: TextEdit): UpdateResult {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (err) {
    return { ok: false, errors: [readError(file, err as NodeJS.ErrnoException)] };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    let text: string;
    try {
      text = readFileSync(real, 'utf8');
    } catch (err) {
      return { ok: false, errors: [readError(file, err as NodeJS.ErrnoException)] };
    }
    const result = edit(text);
    if (!result.ok) return result;
    if (result.changes.length === 0 || result.text === text) return { ok: true, changes: [] };
    if (readFileSync(real, 'utf8') !== text) continue;
    try {
      writeFileAtomic(real, result.text);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, errors: [`${file}: cannot write (${e.code ?? e.message}): the folder must be writable, as the new file is renamed over the old`] };
    }
    return { ok: true, changes: result.changes };
  }
  return { ok: false, errors: [`${file} kept changing while being edited: try again`] };
}
