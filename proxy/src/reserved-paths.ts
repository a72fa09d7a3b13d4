import { DEFAULT_ADAPTER_PATH } from '../../lib/adapter-protocol.js';
import type { RouteTable } from './config/index.js';

interface Reserved {
  /** Lower-case, no trailing slash. */
  readonly path: string;
  /** Its first character after `/`, folded as isReservedPath folds the request's, for a cheap first test. */
  readonly first: number;
}

/** Computed once per loaded table: a reload swaps the table, and with it the reserved paths. */
const byTable = new WeakMap<RouteTable, readonly Reserved[]>();

/**
 * The paths the proxy keeps from every client, on every route: where the legacy adapter of
 * each session backend answers (routes.yaml `session.adapter.path`), and the default
 * `/__strangler` whatever the table says, since an app may mount the adapter there before
 * routes.yaml mentions it. Lower-case.
 */
export function reservedPaths(table: RouteTable): readonly string[] {
  return reservedOf(table).map((r) => r.path);
}

/**
 * Whether a normalised request path is the adapter's business (the proxy answers 404). The
 * test ignores case: express matches mount paths case-insensitively, so `/__STRANGLER/login`
 * would reach an adapter mounted with app.use('/__strangler', …).
 *
 * @example
 * isReservedPath('/__strangler/session', table) // true
 * isReservedPath('/__stranglerish', table)      // false
 */
export function isReservedPath(path: string, table: RouteTable): boolean {
  if (path.length < 2) return false;
  const first = fold(path.charCodeAt(1));
  for (const reserved of reservedOf(table)) {
    const { path: prefix } = reserved;
    if (reserved.first !== first || path.length < prefix.length) continue;
    if (path.length !== prefix.length && path.charCodeAt(prefix.length) !== 0x2f /* / */) continue;
    if (path.slice(0, prefix.length).toLowerCase() === prefix) return true;
  }
  return false;
}

function reservedOf(table: RouteTable): readonly Reserved[] {
  let reserved = byTable.get(table);
  if (!reserved) {
    const paths = new Set([DEFAULT_ADAPTER_PATH]);
    for (const backend of table.backends.values()) {
      const path = backend.session?.adapter?.path.replace(/\/+$/, '');
      // An empty path would reserve everything; routes.yaml validation names that mistake.
      if (path) paths.add(path.toLowerCase());
    }
    reserved = Object.freeze([...paths].map((path) => ({ path, first: fold(path.charCodeAt(1)) })));
    byTable.set(table, reserved);
  }
  return reserved;
}

/** ASCII letters to lower case; other characters as they are. */
function fold(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}
