import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';
import { waitFor } from '../../test/kit/index.js';

const FLIPS = 50;
const HTTP_WORKERS = 8;
const WS_WORKERS = 2;

/** One answer seen by the load: which table the proxy says routed it, and who actually answered. */
interface Observation {
  readonly kind: 'http' | 'ws';
  readonly startedAt: number;
  readonly endedAt: number;
  readonly generation: number;
  readonly xBackend: string | undefined;
  readonly answeredBy: string;
}

interface Flip {
  readonly generation: number;
  readonly target: string;
  readonly writtenAt: number;
  readonly confirmedAt: number;
}

describe('flipping routes.yaml under load', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  // legacy's URL is spelled differently in every other table, so half the flips also
  // replace its forwarder (and retire the old one) while requests are in flight on it.
  const yaml = (users: string) => routesYaml({
    backends: { legacy: { url: users === 'new' ? legacy.url : legacy.url.replace('127.0.0.1', 'localhost') }, new: { url: next.url } },
    default: 'legacy',
    routes: [{ name: 'users', paths: ['/users', '/users/**'], target: users }],
  });

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    proxy = await startProxy(yaml('legacy'), { watch: true });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it(`serves every request, HTTP and WebSocket, from the table in force when it started, across ${FLIPS} flips`, { timeout: 180_000 }, async () => {
    const observations: Observation[] = [];
    const failures: string[] = [];
    let running = true;

    const httpWorker = async (w: number) => {
      for (let i = 0; running; i++) {
        const startedAt = performance.now();
        try {
          const res = await fetch(`${proxy.url}/users/${w}-${i}`);
          const body = (await res.json()) as Echo;
          if (res.status !== 200) failures.push(`HTTP ${res.status} for /users/${w}-${i}`);
          observations.push({
            kind: 'http', startedAt, endedAt: performance.now(), generation: Number(res.headers.get('x-routes-generation')),
            xBackend: res.headers.get('x-backend') ?? undefined, answeredBy: body.backend,
          });
        } catch (err) {
          failures.push(`HTTP request failed: ${(err as Error).message}`);
        }
      }
    };
    const wsWorker = async () => {
      while (running) {
        const startedAt = performance.now();
        try {
          const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
          const echoed = await socket.roundTrip('x');
          if (echoed !== `${socket.hello.hello}:x`) failures.push(`WebSocket echo "${echoed}" from ${socket.hello.hello}`);
          socket.close();
          observations.push({
            kind: 'ws', startedAt, endedAt: performance.now(), generation: Number(socket.upgradeHeaders['x-routes-generation']),
            xBackend: socket.upgradeHeaders['x-backend'] as string | undefined, answeredBy: socket.hello.hello,
          });
        } catch (err) {
          failures.push(`WebSocket failed: ${(err as Error).message}`);
        }
      }
    };

    // A tunnel opened before the first flip must stay with its backend through all of them.
    const longLived = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`);
    assert.equal(longLived.hello.hello, 'legacy');

    const workers = [
      ...Array.from({ length: HTTP_WORKERS }, (_, w) => httpWorker(w)),
      ...Array.from({ length: WS_WORKERS }, () => wsWorker()),
    ];
    const flips: Flip[] = [{ generation: 1, target: 'legacy', writtenAt: 0, confirmedAt: 0 }];
    const seenAt = (generation: number) => observations.filter((o) => o.generation === generation).length;
    const temp = join(proxy.dir, '.routes.yaml.next');
    try {
      await waitFor(() => seenAt(1) >= 5, 'traffic on the first table', 30_000);
      for (let k = 1; k <= FLIPS; k++) {
        const target = k % 2 === 1 ? 'new' : 'legacy';
        const writtenAt = performance.now();
        // Half the flips are in-place writes, half atomic renames: both must be seen.
        if (k % 4 < 2) writeFileSync(proxy.file, yaml(target));
        else {
          writeFileSync(temp, yaml(target));
          renameSync(temp, proxy.file);
        }
        const routes = await waitFor(async () => {
          const body = (await (await proxy.admin('routes')).json()) as { generation: number; routes: Array<{ name: string; target: string }> };
          return body.generation === k + 1 ? body : undefined;
        }, `flip ${k} to be loaded`, 30_000);
        flips.push({ generation: k + 1, target: routes.routes[0]?.target ?? '?', writtenAt, confirmedAt: performance.now() });
        assert.equal(routes.routes[0]?.target, target);
        await waitFor(() => seenAt(k + 1) >= 5, `traffic on table ${k + 1}`, 30_000);
        if (k % 10 === 0) assert.equal(await longLived.roundTrip(`still-${k}`), `legacy:still-${k}`);
      }
    } finally {
      running = false;
      await Promise.all(workers);
      longLived.close();
    }

    assert.deepEqual(failures, [], 'no request may fail during flips');
    const targetOf = new Map(flips.map((f) => [f.generation, f.target]));
    let http = 0;
    let ws = 0;
    for (const o of observations) {
      if (o.kind === 'http') http += 1;
      else ws += 1;
      const expected = targetOf.get(o.generation);
      assert.ok(expected, `an answer names generation ${o.generation}, which never existed`);
      assert.equal(o.answeredBy, expected, `a ${o.kind} request routed by generation ${o.generation} must be answered by ${expected}`);
      assert.equal(o.xBackend, expected, `X-Backend must name the backend of generation ${o.generation}`);
      // Ordering against the flips themselves: not older than the table confirmed before it
      // started, not newer than the last flip written before it ended.
      const confirmedBefore = flips.filter((f) => f.confirmedAt <= o.startedAt).at(-1)?.generation ?? 1;
      const writtenBefore = flips.filter((f) => f.writtenAt <= o.endedAt).at(-1)?.generation ?? 1;
      assert.ok(o.generation >= confirmedBefore, `a ${o.kind} request started under generation ${confirmedBefore} was routed by older generation ${o.generation}`);
      assert.ok(o.generation <= writtenBefore, `a ${o.kind} request was routed by generation ${o.generation} before that table was written`);
    }
    for (let g = 1; g <= FLIPS + 1; g++) assert.ok(seenAt(g) >= 5, `generation ${g} carried traffic`);
    assert.ok(ws >= FLIPS, `WebSocket connects ran throughout (${ws})`);
    assert.ok(http > ws);
    const text = await (await proxy.admin('metrics')).text();
    assert.match(text, new RegExp(`proxy_config_reloads_total\\{result="success"\\} ${FLIPS}\\b`));
    assert.match(text, /proxy_config_reloads_total\{result="error"\} 0\b/);
  });
});
