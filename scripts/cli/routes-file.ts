import { relative, resolve, isAbsolute } from 'node:path';
import type { CliIo } from './io.js';

/** `--file`, else ROUTES_FILE, else ./routes.yaml — the same default as the proxy. */
export function routesFilePath(io: CliIo, flag: string | undefined): string {
  return resolve(io.cwd, flag || io.env.ROUTES_FILE || 'routes.yaml');
}

/** The path as a person would type it from here. */
export function shownPath(io: CliIo, file: string): string {
  const rel = relative(io.cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
