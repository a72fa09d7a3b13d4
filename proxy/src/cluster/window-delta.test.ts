import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouteWindows, quantile } from '../stats/index.js';
import { applyWindowDeltas, createWorkerWindows } from './window-delta.js';

describe('worker windows: what a worker answered, added into the primary\'s windows', () => {
  it('carries requests, failures and latencies so the primary reads what one proxy would have', () => {
    const clock = () => 1_000_000;
    const single = createRouteWindows({ clock });
    const primary = createRouteWindows({ clock });
    const workers = [createWorkerWindows(), createWorkerWindows()];
    const requests: [string, string, number, number, boolean][] = [
      ['users', 'legacy', 200, 1.2, false], ['users', 'legacy', 200, 3.4, false], ['users', 'legacy', 502, 30, true],
      ['users', 'new', 200, 0.9, false], ['mcp', 'legacy', 500, 250, true], ['users', 'legacy', 200, 1.25, false],
    ];
    requests.forEach((r, i) => {
      single.record(...r);
      workers[i % 2]!.windows.record(...r);
    });
    for (const w of workers) applyWindowDeltas(primary, w.take());
    for (const [route, backend] of [['users', 'legacy'], ['users', 'new'], ['mcp', 'legacy']] as const) {
      const want = single.window(route, backend, 0);
      const got = primary.window(route, backend, 0);
      assert.equal(got.requests, want.requests, `${route} ${backend} requests`);
      assert.equal(got.errors, want.errors, `${route} ${backend} errors`);
      assert.deepEqual([...got.latency], [...want.latency], `${route} ${backend} latency buckets`);
      assert.equal(quantile(got.latency, 0.5), quantile(want.latency, 0.5));
    }
  });

  it('starts a new delta after each take, and an idle worker reports nothing', () => {
    const w = createWorkerWindows();
    assert.deepEqual(w.take(), []);
    w.windows.record('users', 'legacy', 200, 2, false);
    assert.equal(w.take().length, 1);
    assert.deepEqual(w.take(), []);
  });

  it('tells the primary\'s failure listener of failures (the rollout gates react to them)', () => {
    const primary = createRouteWindows();
    const failed: string[] = [];
    primary.onFailure((route, backend) => failed.push(`${route}/${backend}`));
    const w = createWorkerWindows();
    w.windows.record('users', 'new', 503, 5, true);
    w.windows.record('users', 'new', 200, 5, false);
    applyWindowDeltas(primary, w.take());
    assert.deepEqual(failed, ['users/new']);
  });
});
