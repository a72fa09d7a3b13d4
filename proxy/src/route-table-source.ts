import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadRouteTable, parseRouteTable, type RouteTable } from './config/index.js';

export type ReloadResult =
  | { ok: true; changed: boolean; changes: string[]; generation: number }
  | { ok: false; errors: string[] };

export type SourceRead =
  | { ok: true; unchanged: false; table: RouteTable; warnings: string[]; hash: string; /** The file's text, as parsed (cluster workers parse the same text). */ text: string }
  | { ok: true; unchanged: true }
  | { ok: false; errors: string[]; hash: string | undefined; /** The same bytes were already refused. */ repeated: boolean };

const MAX_BYTES = 1024 * 1024;

/**
 * Reads routes.yaml for the proxy, remembering the hash of the content in force so that the
 * bursts of events a single save produces (and saves that change nothing) cost one read and
 * no reload, and the hash of the last refused content so one bad save is reported once.
 */
export function createRouteTableSource(file: string, env: NodeJS.ProcessEnv) {
  let acceptedHash: string | undefined;
  let refusedHash: string | undefined;

  function read({ force = false } = {}): SourceRead {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      const errors = (loadRouteTable(file, env) as { errors?: string[] }).errors ?? [`${file}: cannot read`];
      return refused(errors, undefined, force);
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (!force && hash === acceptedHash) return { ok: true, unchanged: true };
    if (bytes.length > MAX_BYTES) return refused([`${file}: larger than 1 MiB; a routes file is a few dozen lines`], hash, force);
    const text = bytes.toString('utf8');
    const loaded = parseRouteTable(text, { source: file, env });
    if (!loaded.ok) return refused(loaded.errors, hash, force);
    return { ok: true, unchanged: false, table: loaded.table, warnings: loaded.warnings, hash, text };
  }

  function refused(errors: string[], hash: string | undefined, force: boolean): SourceRead {
    const repeated = !force && hash !== undefined && hash === refusedHash;
    refusedHash = hash;
    return { ok: false, errors, hash, repeated };
  }

  /** The content just read is now in force. */
  function accept(result: SourceRead): void {
    if (result.ok && !result.unchanged) {
      acceptedHash = result.hash;
      refusedHash = undefined;
    }
  }

  return { read, accept };
}
