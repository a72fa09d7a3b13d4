import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ACTING_USER_HEADER, TERMINAL_TOOL } from '../../../../lib/mcp-client.js';
import type { CommandReport } from '../command-report.js';
import { MCP_TOKEN, USERS, testPolicy } from '../../../../test/kit/mcp-server/fixture.js';
import { INITIALIZE, JSON_HEADERS, rawRequest, startHttpFixture, type HttpFixture } from '../../../../test/kit/mcp-server/http-fixture.js';
import { isAlive, readPids } from '../../../../test/kit/mcp-server/processes.js';
import { waitFor } from '../../../../test/kit/index.js';

const asUser = (id: number) => ({ authorization: `Bearer ${MCP_TOKEN}`, [ACTING_USER_HEADER]: String(id) });

/** A test-only policy: `sh` on a workspace script, so tests can spawn grandchildren. */
function shPolicy(limits: Record<string, number>) {
  return testPolicy({
    version: 1,
    limits: { calls_per_minute: 1000, burst: 1000, ...limits },
    programs: {
      sh: { decision: 'allow', path: '/usr/bin/sh', positionals: { kind: 'path', min: 1, max: 1 } },
      echo: { decision: 'allow', path: '/usr/bin/echo', positionals: { kind: 'text', max: 8 }, end_of_options: false },
    },
  }, true);
}

async function call(h: HttpFixture, userId: number, args: Record<string, unknown>): Promise<{ isError: boolean; report: CommandReport }> {
  const { client } = await h.connect(asUser(userId));
  const result = (await client.callTool({ name: TERMINAL_TOOL, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
  return { isError: result.isError === true, report: result.structuredContent as CommandReport };
}

describe('limits over HTTP (M12)', () => {
  let h: HttpFixture;
  before(async () => {
    h = await startHttpFixture(shPolicy({ calls_per_minute: 1, burst: 2 }));
  });
  after(() => h.close());

  it('rate-limits tools/call per user with an isError result', async () => {
    assert.equal((await call(h, USERS.alice, { command: 'echo 1' })).isError, false);
    assert.equal((await call(h, USERS.alice, { command: 'echo 2' })).isError, false);
    const third = await call(h, USERS.alice, { command: 'echo 3' });
    assert.equal(third.isError, true);
    assert.equal(third.report.outcome, 'limited');
    assert.equal(third.report.rule, 'limits:rate');
    assert.equal((await call(h, USERS.bob, { command: 'echo bob' })).isError, false, 'another user has their own budget');
  });
});

describe('timeouts, concurrency and shutdown over HTTP (P3, P6, M12)', () => {
  let h: HttpFixture;
  before(async () => {
    h = await startHttpFixture(shPolicy({ concurrent_per_identity: 1, concurrent_total: 4 }));
    writeFileSync(join(h.fx.workspace, 'spawn.sh'), 'sleep 300 &\necho $! >> pids\nsleep 300 &\necho $! >> pids\necho $$ >> pids\nwait\n');
    writeFileSync(join(h.fx.workspace, 'long.sh'), 'sleep 300 &\necho $! >> long.pids\necho $$ >> long.pids\nwait\n');
  });
  after(() => h.close());

  it('kills a command that never ends at its timeout, grandchildren too, and says so', async () => {
    const r = await call(h, USERS.alice, { command: 'sh spawn.sh', timeout_ms: 1000 });
    assert.equal(r.isError, true);
    assert.equal(r.report.outcome, 'timeout');
    assert.equal(r.report.rule, 'timeout');
    assert.equal(r.report.timed_out, true);
    assert.match(r.report.reason ?? '', /Timed out after 1000 ms/);
    const pids = await readPids(join(h.fx.workspace, 'pids'), 3);
    await waitFor(() => pids.every((p) => !isAlive(p)), 'all three processes to die');
  });

  it('kills a command whose caller hangs up before the answer', async () => {
    writeFileSync(join(h.fx.workspace, 'abandoned.sh'), 'sleep 300 &\necho $! >> abandoned.pids\necho $$ >> abandoned.pids\nwait\n');
    const init = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...asUser(USERS.bob) }, body: INITIALIZE });
    const session = init.headers['mcp-session-id'] as string;
    const req = request(h.url, { method: 'POST', headers: { ...JSON_HEADERS, ...asUser(USERS.bob), 'mcp-session-id': session } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: TERMINAL_TOOL, arguments: { command: 'sh abandoned.sh', timeout_ms: 100_000 } } }));
    const pids = await readPids(join(h.fx.workspace, 'abandoned.pids'), 2);
    req.destroy();
    await waitFor(() => pids.every((p) => !isAlive(p)), 'the abandoned command to be killed');
    await waitFor(() => h.fx.runner.liveGroups() === 0, 'no live group left');
    await waitFor(() => h.fx.audit.recent(1)[0]?.outcome === 'cancelled', 'the audit row to say cancelled');
  });

  it('caps commands running at once per user, and kills live groups on shutdown', async () => {
    const running = call(h, USERS.alice, { command: 'sh long.sh', timeout_ms: 100_000 }).catch((err: unknown) => err);
    const pids = await readPids(join(h.fx.workspace, 'long.pids'), 2);
    const second = await call(h, USERS.alice, { command: 'echo second' });
    assert.equal(second.report.outcome, 'limited');
    assert.equal(second.report.rule, 'limits:concurrency');
    assert.equal((await call(h, USERS.bob, { command: 'echo bob' })).report.outcome, 'ran');

    await h.mcp.close();
    // The caller hears at once that the server went away, not after its own 120 s timeout.
    const outcome = await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'))]);
    assert.match(String(outcome), /The MCP server is shutting down/);
    await h.fx.close();
    await waitFor(() => pids.every((p) => !isAlive(p)), 'the running group to die at shutdown');
    assert.equal(h.fx.runner.liveGroups(), 0);
  });
});
