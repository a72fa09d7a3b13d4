import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBearerHop } from '../../../test/kit/bearer-hop.js';
import { freePorts, runTsx, tempDir, type RunningServer, type WatchedProcess } from '../../../test/kit/index.js';
import { node22 } from '../../../test/kit/node22.js';
import { createFixture, MCP_TOKEN, type Fixture } from '../../../test/kit/mcp-server/fixture.js';
import { runProcess } from '../../../test/kit/mcp-server/spawn-process.js';
import { stdioEnv } from '../../../test/kit/mcp-server/stdio-env.js';

const CONFORMANCE = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The scenarios the server must pass (the rest test tools, prompts and resources it does not offer). */
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
}

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, which needs
 * Node 22) against the real MCP server process (`main.ts`, bound to 127.0.0.1 as
 * `npm start` runs it). The suite sends no credential, so it goes through a hop that adds
 * the service token and keeps every other header, Host and Origin included: the
 * DNS-rebinding scenario forges both and expects a 4xx, and expects a 2xx for loopback ones.
 */
describe('official MCP conformance scenarios against the MCP server process', { timeout: 600_000 }, () => {
  let fx: Fixture;
  let server: WatchedProcess;
  let hop: RunningServer;
  let node: string;
  const out = tempDir('mcp-conformance-');

  before(async () => {
    node = node22();
    fx = createFixture();
    const [port] = await freePorts(1);
    server = runTsx(MAIN, { env: stdioEnv(fx, { MCP_HOST: '127.0.0.1', MCP_PORT: String(port), MCP_AUDIT_PATH: join(fx.dir, 'http-audit.db') }) });
    await server.waitFor(/MCP server on http:\/\/127\.0\.0\.1:\d+\/mcp/);
    hop = await startBearerHop(new URL(`http://127.0.0.1:${port}/mcp`), MCP_TOKEN, { keepHost: true });
  });
  after(async () => {
    await hop?.close();
    server?.child.kill('SIGTERM');
    await server?.exited().catch(() => server.kill());
    await fx?.cleanup();
    out.cleanup();
  });

  for (const scenario of SCENARIOS) {
    it(`passes ${scenario}`, async () => {
      const dir = join(out.path, scenario);
      const run = await runProcess(node, [CONFORMANCE, 'server', '--url', `${hop.url}/mcp`, '--scenario', scenario, '-o', dir], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
        boundMs: 120_000,
      });
      const checks = readChecks(dir);
      const failed = checks.filter((c) => c.status !== 'SUCCESS');
      assert.ok(checks.length > 0, `${scenario}: no checks were written\n${run.stdout}\n${run.stderr}`);
      assert.deepEqual(failed, [], `${scenario}:\n${run.stdout}`);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    });
  }
});

/** The suite writes `<dir>/<scenario>-<time>/checks.json`. */
function readChecks(dir: string): Check[] {
  let runs: string[];
  try {
    runs = readdirSync(dir);
  } catch {
    return [];
  }
  return runs.flatMap((run) => JSON.parse(readFileSync(join(dir, run, 'checks.json'), 'utf8')) as Check[]);
}
