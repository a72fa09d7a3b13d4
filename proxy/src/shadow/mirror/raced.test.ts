// Comparisons around writes, through a real proxy: two real backends read one shared list
// (as both read one SQLite file), and the shadow's answer can be held until a write went
// through the proxy, which is the race a person sees as a false mismatch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer, tempDir, waitFor, type RunningServer } from '../../../../test/kit/index.js';
import { startProxy, type RunningProxy } from '../../../../test/kit/proxy/proxy-harness.js';
import { createShadowExtension, type ShadowExtension } from './shadow-extension.js';

interface Summary { shadowed: number; matched: number; mismatched: number; raced: number; matchRate: number | null; samples: unknown[] }

function yaml(legacy: string, next: string, shadow = '    shadow: { to: new }'): string {
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
`;
}

describe('shadow comparisons around writes', () => {
  const dir = tempDir('shadow-raced-');
  const rows: string[] = ['ann'];
  let held: Array<() => void> = [];
  let holdShadow = false;
  let shadowDiffers = false;
  let legacy: RunningServer;
  let next: RunningServer;
  let ext: ShadowExtension;
  let proxy: RunningProxy;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const list = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      rows.push(`user${rows.length}`);
      return json(res, 201, { id: rows.length });
    }
    if (req.method === 'PUT') return json(res, 409, { error: 'conflict' });
    json(res, 200, rows);
  };

  before(async () => {
    legacy = await startServer((req, res) => req.resume().on('end', () => list(req, res)));
    next = await startServer((req, res) => req.resume().on('end', () => {
      // The shadow reads the shared list when it answers, not when the copy arrived.
      const answer = () => (shadowDiffers ? json(res, 200, [...rows, 'only-on-new']) : list(req, res));
      if (holdShadow) held.push(answer);
      else answer();
    }));
    ext = createShadowExtension({ diffsPath: dir.file('diffs.db'), storeOptions: { flushMs: 5 } });
    proxy = await startProxy(yaml(legacy.url, next.url), { extensions: [ext] });
    ext.registerMetrics(proxy.proxy.metrics.registry);
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
    dir.cleanup();
  });

  async function summary(): Promise<Summary> {
    await ext.shadower.idle();
    await ext.shadower.flush();
    const body = (await (await proxy.admin('diffs?route=users')).json()) as { routes: Summary[] };
    return body.routes[0] ?? { shadowed: 0, matched: 0, mismatched: 0, raced: 0, matchRate: null, samples: [] };
  }

  /** A GET whose copy is answered only after `meanwhile` ran. */
  async function heldGet(meanwhile: () => Promise<void>): Promise<void> {
    holdShadow = true;
    const res = await fetch(`${proxy.url}/users`);
    await res.text();
    await waitFor(() => held.length === 1, 'the copy to reach the shadow');
    await meanwhile();
    holdShadow = false;
    const release = held;
    held = [];
    for (const answer of release) answer();
  }

  it('starts the shadow thread as soon as a table that shadows is loaded, before any request', async () => {
    assert.equal(ext.shadower.threadRunning(), true);
    const idle = createShadowExtension({ diffsPath: dir.file('idle.db') });
    const plain = await startProxy(yaml(legacy.url, next.url, ''), { extensions: [idle] });
    try {
      assert.equal(idle.shadower.threadRunning(), false, 'no route shadows: no thread');
      plain.proxy.reload({ force: true });
      assert.equal(idle.shadower.threadRunning(), false);
    } finally {
      await plain.close();
    }
  });

  it('a copy answered after a write went through the proxy is raced, not mismatched', async () => {
    await heldGet(async () => {
      const res = await fetch(`${proxy.url}/users`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 201);
    });
    const s = await summary();
    assert.deepEqual([s.shadowed, s.matched, s.mismatched, s.raced], [1, 0, 0, 1]);
    assert.equal(s.matchRate, null, 'nothing judged yet');
    assert.deepEqual(s.samples, [], 'a raced comparison is no sample of a difference');
  });

  it('a refused write (4xx) wrote nothing: the difference stays a mismatch', async () => {
    shadowDiffers = true;
    try {
      await heldGet(async () => {
        assert.equal((await fetch(`${proxy.url}/users/1`, { method: 'PUT', body: '{}' })).status, 409);
      });
    } finally {
      shadowDiffers = false;
    }
    const s = await summary();
    assert.deepEqual([s.mismatched, s.raced], [1, 1]);
  });

  it('reads with no write around them still match, and the rate counts only judged comparisons', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${proxy.url}/users`)).text();
    await waitFor(async () => (await summary()).matched === 3, 'three matches');
    const s = await summary();
    assert.deepEqual([s.shadowed, s.matched, s.mismatched, s.raced, s.matchRate], [5, 3, 1, 1, 75]);
    const metrics = await (await proxy.admin('metrics')).text();
    assert.match(metrics, /proxy_shadow_requests_total\{route="users",result="raced"\} 1/);
    assert.match(metrics, /proxy_shadow_requests_total\{route="users",result="mismatched"\} 1/);
  });

  it('a write to another database (routes.yaml `database`) does not make a comparison raced', async () => {
    writeFileSync(proxy.file, `${yaml(legacy.url, next.url)}  - name: billing
    paths: [/billing, /billing/**]
    target: legacy
    database: billing
`);
    assert.ok(proxy.proxy.reload().ok);
    const before = await summary();
    await heldGet(async () => {
      // Here both fake backends share one list, so the write does change what the shadow reads;
      // the file says billing's writes go elsewhere, so the difference is judged, as a mismatch.
      assert.equal((await fetch(`${proxy.url}/billing`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 201);
    });
    let s = await summary();
    assert.deepEqual([s.mismatched - before.mismatched, s.raced - before.raced], [1, 0]);
    await heldGet(async () => {
      assert.equal((await fetch(`${proxy.url}/users`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 201);
    });
    s = await summary();
    assert.deepEqual([s.mismatched - before.mismatched, s.raced - before.raced], [1, 1], 'a write on the route\'s own database still is');
  });
});
