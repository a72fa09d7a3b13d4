import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { loadRouteTable, routeTableToJson, type RouteTable } from '../../proxy/src/config/index.js';
import { COMMENTED } from './proxy/routes-yaml-examples.js';
import { startServer, type RunningServer } from './server.js';
import { tempDir } from './temp.js';
import type { CliIo } from '../../scripts/cli/io.js';

/** An io that records what a command prints. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    env, cwd, color: false, stdout, stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

/**
 * A stand-in for the proxy's admin endpoint: answers GET /__proxy/routes from the file as
 * it is now (like a proxy that reloads at once), or from a frozen copy (one that does not).
 */
export async function startAdminStandIn(file: string, token: string): Promise<RunningServer & { freeze(): void; rejectNextChange(errors: string[]): void }> {
  let frozen: object | undefined;
  let lastError: { at: string; errors: string[] } | undefined;
  let rejecting: { text: string; errors: string[] } | undefined;
  const body = () => {
    const loaded = loadRouteTable(file, {});
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    return { ...routeTableToJson(loaded.table), generation: 1 };
  };
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Unauthorized"}');
      return;
    }
    if (req.url !== '/__proxy/routes') {
      res.writeHead(404).end();
      return;
    }
    if (rejecting && !lastError && readFileSync(file, 'utf8') !== rejecting.text) lastError = { at: new Date().toISOString(), errors: rejecting.errors };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...(frozen ?? body()), ...(lastError ? { lastError } : {}) }));
  });
  const running = await startServer(server);
  return Object.assign(running, {
    freeze: () => { frozen = body(); },
    /** Like a proxy whose environment makes the next version of the file invalid. */
    rejectNextChange: (errors: string[]) => { frozen = body(); rejecting = { text: readFileSync(file, 'utf8'), errors }; },
  });
}

/** A port nothing listens on: bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const s = await startServer(createServer());
  await s.close();
  return s.url;
}

export function writeRoutes(file: string, text: string): string {
  writeFileSync(file, text);
  return file;
}

/** A temp folder of routes files for command tests, and the URL of a proxy that is not running. */
export function cliFixture(prefix: string) {
  const dir = tempDir(prefix);
  let n = 0;
  const fx = {
    dir,
    down: '',
    /** A new routes file (COMMENTED unless told otherwise) in the folder. */
    fresh: (text = COMMENTED) => writeRoutes(dir.file(`routes-${n++}.yaml`), text),
    table(file: string): RouteTable {
      const r = loadRouteTable(file, {});
      assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
      return r.table;
    },
    async setUp() { fx.down = await closedPortUrl(); },
    tearDown: () => dir.cleanup(),
  };
  return fx;
}
