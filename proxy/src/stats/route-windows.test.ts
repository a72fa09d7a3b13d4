import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouteWindows } from './route-windows.js';
import { LATENCY_BUCKETS, latencyBucket, quantile } from './latency-histogram.js';
import { statsJson } from './stats-json.js';

describe('latency histogram', () => {
  const cases: Array<[string, number[], number, number, number]> = [
    // what, latencies (ms), q, expected, tolerance (fraction)
    ['median of 1..100 ms', Array.from({ length: 100 }, (_, i) => i + 1), 0.5, 50, 0.05],
    ['p99 of 1..100 ms', Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99, 0.05],
    ['p99 with one slow outlier in 100', [...Array<number>(99).fill(2), 5000], 0.99, 2, 0.05],
    ['p99 with two slow outliers in 100', [...Array<number>(98).fill(2), 5000, 5000], 0.99, 5000, 0.05],
    ['sub-millisecond answers', Array<number>(10).fill(0.3), 0.5, 0.3, 0.05],
  ];
  for (const [what, latencies, q, expected, tolerance] of cases) {
    it(`reads the ${what} within ${tolerance * 100} %`, () => {
      const counts = new Uint32Array(LATENCY_BUCKETS);
      for (const ms of latencies) counts[latencyBucket(ms)] = (counts[latencyBucket(ms)] as number) + 1;
      const got = quantile(counts, q) as number;
      assert.ok(Math.abs(got - expected) / expected <= tolerance, `${got} vs ${expected}`);
    });
  }

  it('has no quantile without samples, and puts absurd latencies in the end buckets', () => {
    assert.equal(quantile(new Uint32Array(LATENCY_BUCKETS), 0.5), null);
    assert.equal(latencyBucket(0), 0);
    assert.equal(latencyBucket(Number.NaN), 0);
    assert.equal(latencyBucket(1e12), LATENCY_BUCKETS - 1);
  });
});

describe('route windows', () => {
  function at(start: number) {
    let now = start;
    return { clock: () => now, advance: (ms: number) => (now += ms) };
  }

  it('counts requests and failures per route and backend, over the buckets asked for', () => {
    const time = at(1_000_000);
    const w = createRouteWindows({ bucketMs: 1000, buckets: 5, clock: time.clock });
    w.record('users', 'legacy', 200, 10, false);
    w.record('users', 'new', 502, 3, true);
    time.advance(1000);
    w.record('users', 'new', 200, 5, false);
    w.record('users', 'new', 500, 5, true);
    assert.deepEqual(pick(w.window('users', 'new', 0)), { requests: 3, errors: 2 });
    assert.deepEqual(pick(w.window('users', 'new', time.clock())), { requests: 2, errors: 1 });
    assert.deepEqual(pick(w.window('users', 'legacy', 0)), { requests: 1, errors: 0 });
    assert.deepEqual(pick(w.window('mcp', 'legacy', 0)), { requests: 0, errors: 0 });
  });

  it('forgets buckets older than the window, and clears a slot it reuses', () => {
    const time = at(0);
    const w = createRouteWindows({ bucketMs: 1000, buckets: 3, clock: time.clock });
    w.record('users', 'new', 500, 1, true);
    time.advance(3000); // the slot of bucket 0 is bucket 3's now
    w.record('users', 'new', 200, 1, false);
    assert.deepEqual(pick(w.window('users', 'new', 0)), { requests: 1, errors: 0 });
    time.advance(5000);
    assert.deepEqual(pick(w.window('users', 'new', 0)), { requests: 0, errors: 0 });
  });

  it('tells a listener of each failure and of nothing else', () => {
    const w = createRouteWindows();
    const heard: string[] = [];
    w.onFailure((route, backend) => heard.push(`${route}/${backend}`));
    w.record('users', 'new', 200, 1, false);
    w.record('users', 'new', 504, 1, true);
    assert.deepEqual(heard, ['users/new']);
  });

  it('answers the stats body: last-minute figures and a series with empty buckets kept', () => {
    const time = at(100_000);
    const w = createRouteWindows({ bucketMs: 10_000, clock: time.clock });
    for (let i = 0; i < 9; i++) w.record('users', 'legacy', 200, 20, false);
    w.record('users', 'legacy', 503, 20, true);
    time.advance(20_000);
    w.record('users', 'legacy', 200, 40, false);
    const body = statsJson(w);
    assert.equal(body.bucketMs, 10_000);
    assert.equal(body.now, 120_000);
    const legacy = body.routes.users?.legacy;
    assert.ok(legacy);
    assert.equal(legacy.requests, 11);
    assert.equal(legacy.errors, 1);
    assert.equal(legacy.errorRate, 0.0909);
    assert.equal(legacy.rps, Math.round((11 / 60) * 100) / 100);
    assert.deepEqual(legacy.series.map((p) => [p.t, p.requests, p.errors]), [[100_000, 10, 1], [110_000, 0, 0], [120_000, 1, 0]]);
    assert.equal(legacy.series[1]?.p50, null);
    assert.ok(Math.abs((legacy.series[0]?.p50 as number) - 20) < 1);
  });
});

function pick(f: { requests: number; errors: number }) {
  return { requests: f.requests, errors: f.errors };
}
