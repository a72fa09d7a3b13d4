import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { createRequestMetrics } from './request-metrics.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.5, 1];
const REQUESTS: ReadonlyArray<[string, string, number, number]> = [
  ['users', 'legacy', 200, 0.0005],
  ['users', 'legacy', 200, 0.001],
  ['users', 'legacy', 404, 0.003],
  ['users', 'new', 502, 0.7],
  ['users', 'new', 0, 40],
  ['(default)', 'legacy', 101, 0.0025],
];

/** The same requests through prom-client's own Counter and Histogram: the format to match. */
function reference(): Registry {
  const registry = new Registry();
  const requests = new Counter({ name: 'proxy_requests_total', help: 'Proxied requests by route, backend and status class (aborted: the client left before an answer).', labelNames: ['route', 'backend', 'status_class'], registers: [registry] });
  const duration = new Histogram({ name: 'proxy_request_duration_seconds', help: 'Time from receiving a request to the end of its response, by route and backend.', labelNames: ['route', 'backend'], buckets: BUCKETS, registers: [registry] });
  for (const [route, backend, status, seconds] of REQUESTS) {
    for (const c of ['aborted', '1xx', '2xx', '3xx', '4xx', '5xx']) requests.inc({ route, backend, status_class: c }, 0);
    requests.inc({ route, backend, status_class: status ? `${Math.floor(status / 100)}xx` : 'aborted' });
    duration.observe({ route, backend }, seconds);
  }
  return registry;
}

const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('request metrics', () => {
  it('expose the same series and values as prom-client\'s Counter and Histogram would', async () => {
    const registry = new Registry();
    const metrics = createRequestMetrics(registry, BUCKETS);
    for (const r of REQUESTS) metrics.record(...r);
    assert.deepEqual(sortedLines(await registry.metrics()), sortedLines(await reference().metrics()));
  });

  it('sum across processes in an AggregatorRegistry, as prom-client\'s own do', async () => {
    const one = new Registry();
    const two = new Registry();
    const a = createRequestMetrics(one, BUCKETS);
    const b = createRequestMetrics(two, BUCKETS);
    a.record('users', 'legacy', 200, 0.002);
    b.record('users', 'legacy', 200, 0.2);
    const text = await AggregatorRegistry.aggregate([await one.getMetricsAsJSON(), await two.getMetricsAsJSON()]).metrics();
    assert.match(text, /proxy_requests_total\{route="users",backend="legacy",status_class="2xx"\} 2/);
    assert.match(text, /proxy_request_duration_seconds_bucket\{le="0.5",route="users",backend="legacy"\} 2/);
    assert.match(text, /proxy_request_duration_seconds_count\{route="users",backend="legacy"\} 2/);
  });
});
