import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir, waitFor } from '../../../../test/kit/index.js';
import { startProxy, type RunningProxy } from '../../../../test/kit/proxy/proxy-harness.js';
import { createShadowExtension, type ShadowExtension } from './shadow-extension.js';
import { startDifferingBackend, type DifferingBackend } from '../../../../test/kit/proxy/differing-backend.js';

const USERS = [
  { id: 1, username: 'admin', name: 'Admin', email: 'admin@localhost', role: 'admin' },
  { id: 2, username: 'ann', name: 'Ann', email: 'ann@x.io', role: 'user' },
];
const COMMANDS = [{ id: 9, status: 'executed', created_at: '2026-01-01T00:00:00.000Z', result: { stdout: 'hi', exit_code: 0 } }];

function yaml(legacy: string, next: string, shadow: string): string {
  return `version: 1
backends:
  legacy: { url: ${legacy}, auth: session }
  new: { url: ${next}, auth: session }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
${shadow}
  - name: mcp
    paths: [/mcp, /mcp/**]
    target: legacy
    shadow: { to: new, ignore: [created_at], timeout_ms: 2000 }   # a copy answered late on a busy machine is still compared
`;
}

describe('shadow traffic through the proxy', () => {
  const dir = tempDir('shadow-ext-');
  let legacy: DifferingBackend;
  let next: DifferingBackend;
  let nextMode: 'answer' | 'hang' = 'answer';
  let ext: ShadowExtension;
  let proxy: RunningProxy;
  const shadowBlock = '    shadow:\n      to: new\n      ignore: ["*.updated_at"]';

  before(async () => {
    legacy = await startDifferingBackend((req, body) => {
      if (req.url?.startsWith('/mcp')) return { body: COMMANDS };
      if (req.method === 'POST') return { status: 201, body: { created: body } };
      return { body: req.url === '/users' ? USERS.map((u) => ({ ...u, updated_at: 'L' })) : USERS[0] };
    });
    next = await startDifferingBackend((req, body) => {
      if (nextMode === 'hang') return 'hang';
      if (req.url?.startsWith('/mcp')) return { body: COMMANDS.map((c) => ({ ...c, created_at: 'other', result: { ...c.result, exit_code: '0' } })) };
      if (req.method === 'POST') return { status: 201, body: { created: body } };
      return { body: req.url === '/users' ? [USERS[0], { ...USERS[1], role: 'admin' }].map((u) => ({ ...u, updated_at: 'N' })) : USERS[0] };
    });
    ext = createShadowExtension({ diffsPath: dir.file('diffs.db'), storeOptions: { flushMs: 5 } });
    proxy = await startProxy(yaml(legacy.url, next.url, shadowBlock), { extensions: [ext] });
    ext.registerMetrics(proxy.proxy.metrics.registry);
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
    dir.cleanup();
  });

  async function report(query = ''): Promise<{ routes: { route: string; shadowed: number; matched: number; mismatched: number; errors: number; topPaths: { path: string; count: number }[]; samples: { differences: unknown[] }[] }[] }> {
    await ext.shadower.idle();
    await ext.shadower.flush();
    const res = await proxy.admin(`diffs${query}`);
    assert.equal(res.status, 200);
    return res.json() as never;
  }

  it('answers the client from the primary and finds the planted differences at their paths', async () => {
    const res = await fetch(`${proxy.url}/users`);
    assert.equal(res.headers.get('x-backend'), 'legacy');
    assert.deepEqual(await res.json(), USERS.map((u) => ({ ...u, updated_at: 'L' })));
    const mcp = await fetch(`${proxy.url}/mcp/commands?limit=5`);
    assert.deepEqual(await mcp.json(), COMMANDS);
    await waitFor(async () => (await report()).routes.reduce((n, r) => n + r.shadowed, 0) === 2, 'both comparisons');
    const { routes } = await report();
    const users = routes.find((r) => r.route === 'users');
    const mcpRoute = routes.find((r) => r.route === 'mcp');
    assert.deepEqual(users?.samples[0]?.differences, [{ path: '$[1].role', kind: 'changed', primary: 'user', shadow: 'admin' }]);
    assert.deepEqual(mcpRoute?.samples[0]?.differences, [{ path: '$[0].result.exit_code', kind: 'type', primary: 0, shadow: '0' }]);
    const copy = next.hits.find((h) => h.url === '/mcp/commands?limit=5');
    assert.equal(copy?.headers['x-shadow-request'], '1');
    assert.equal(copy?.headers['x-request-id'], legacy.hits.find((h) => h.url === '/mcp/commands?limit=5')?.headers['x-request-id']);
  });

  it('does not mirror a POST on a route that shadows GET only', async () => {
    const before = next.hits.length;
    const res = await fetch(`${proxy.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.deepEqual([res.status, await res.json()], [201, { created: '{"name":"x"}' }]);
    await ext.shadower.idle();
    assert.equal(next.hits.length, before);
  });

  it('leaves statuses and bodies unchanged while the shadow hangs, and records timeouts', async () => {
    nextMode = 'hang';
    try {
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${proxy.url}/mcp/commands`);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), COMMANDS);
      }
      await waitFor(async () => (await report('?route=mcp')).routes[0]?.errors === 4, 'four timeouts');
    } finally {
      nextMode = 'answer';
    }
  });

  it('answers /__proxy/diffs only with the admin token', async () => {
    assert.equal((await fetch(`${proxy.url}/__proxy/diffs`)).status, 401);
    const res = await proxy.admin('diffs?since=1h&route=users');
    const body = await res.json() as { routes: { route: string }[] };
    assert.deepEqual(body.routes.map((r) => r.route), ['users']);
  });

  it('counts results in the proxy metrics', async () => {
    const text = await (await proxy.admin('metrics')).text();
    assert.match(text, /proxy_shadow_requests_total\{route="users",result="mismatched"\} 1/);
    assert.match(text, /proxy_shadow_requests_total\{route="mcp",result="error"\} 4/);
  });

  it('pauses mirroring while the shadow backend is the one answering (the route was cut over)', async () => {
    writeFileSync(proxy.file, yaml(legacy.url, next.url, shadowBlock).replace('    target: legacy\n    shadow:\n      to: new', '    target: new\n    shadow:\n      to: new'));
    assert.equal(proxy.proxy.reload().ok, true);
    const before = next.hits.length;
    const res = await fetch(`${proxy.url}/users/1`);
    await res.text();
    assert.equal(res.headers.get('x-backend'), 'new');
    await ext.shadower.idle();
    assert.equal(next.hits.length, before + 1, 'only the primary request reached new: no copy to itself');
    writeFileSync(proxy.file, yaml(legacy.url, next.url, shadowBlock));
    assert.equal(proxy.proxy.reload().ok, true);
  });

  it('starts and stops mirroring with a reload of routes.yaml', async () => {
    writeFileSync(proxy.file, yaml(legacy.url, next.url, ''));
    assert.equal(proxy.proxy.reload().ok, true);
    const before = next.hits.length;
    await (await fetch(`${proxy.url}/users/1`)).text();
    await ext.shadower.idle();
    assert.equal(next.hits.length, before, 'no shadow block, no copy');
    writeFileSync(proxy.file, yaml(legacy.url, next.url, shadowBlock));
    assert.equal(proxy.proxy.reload().ok, true);
    await (await fetch(`${proxy.url}/users/1`)).text();
    await waitFor(() => next.hits.length === before + 1, 'a copy');
  });
});
