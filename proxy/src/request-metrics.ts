import type { Metric, MetricValueWithName, Registry } from 'prom-client';

const STATUS_CLASSES = ['aborted', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** One route and backend: answers by status class and a duration histogram, as plain numbers. */
interface Series {
  readonly route: string;
  readonly backend: string;
  readonly byClass: Float64Array;
  /** Per bucket, not cumulative (added up when scraped); the last one is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The two metrics every proxied request updates, `proxy_requests_total` and
 * `proxy_request_duration_seconds`, registered in a prom-client registry like any other
 * but kept in typed arrays per route and backend. prom-client's own Counter and Histogram
 * validate and hash the labels and allocate on every observation; here a request costs a
 * Map lookup, a bucket search and three additions, and the work of the exposition format
 * moves to the scrape.
 */
export function createRequestMetrics(registry: Registry, durationBuckets: readonly number[]): { record(route: string, backend: string, status: number, seconds: number): void } {
  const bounds = [...durationBuckets].sort((a, b) => a - b);
  const series = new Map<string, Series>();

  register(registry, {
    name: 'proxy_requests_total',
    help: 'Proxied requests by route, backend and status class (aborted: the client left before an answer).',
    type: 'counter',
    values: () => [...series.values()].flatMap((s) => STATUS_CLASSES.map((c, i) => ({ labels: { route: s.route, backend: s.backend, status_class: c }, value: s.byClass[i] as number }))),
  });
  register(registry, {
    name: 'proxy_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by route and backend.',
    type: 'histogram',
    values: () => [...series.values()].flatMap((s) => {
      const name = 'proxy_request_duration_seconds';
      const labels = { route: s.route, backend: s.backend };
      let cumulative = 0;
      const buckets = [...bounds, Number.POSITIVE_INFINITY].map((le, i) => {
        cumulative += s.buckets[i] as number;
        return { labels: { le: le === Number.POSITIVE_INFINITY ? '+Inf' : le, ...labels }, value: cumulative, metricName: `${name}_bucket` };
      });
      return [...buckets, { labels, value: s.sum, metricName: `${name}_sum` }, { labels, value: s.count, metricName: `${name}_count` }];
    }),
  });

  return {
    record(route, backend, status, seconds) {
      const key = `${route}\u0000${backend}`;
      let s = series.get(key);
      if (!s) {
        s = { route, backend, byClass: new Float64Array(STATUS_CLASSES.length), buckets: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
        series.set(key, s);
      }
      const cls = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
      s.byClass[cls] = (s.byClass[cls] as number) + 1;
      let b = 0;
      while (b < bounds.length && seconds > (bounds[b] as number)) b++;
      s.buckets[b] = (s.buckets[b] as number) + 1;
      s.sum += seconds;
      s.count += 1;
    },
  };
}

interface PlainMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  values(): Array<MetricValueWithName<string>>;
}

/**
 * Registers a metric that prom-client only reads: the registry asks each metric for `get()`
 * (the same object its own metrics return, `aggregator` included, so an AggregatorRegistry
 * sums it across processes) and has no other use for it.
 */
function register(registry: Registry, metric: PlainMetric): void {
  // prom-client's typings declare `type` a numeric enum; at run time (and in the text format) it is the string.
  const object = (values: Array<MetricValueWithName<string>>) => ({ name: metric.name, help: metric.help, type: metric.type, aggregator: 'sum', values });
  const readable = { name: metric.name, help: metric.help, type: metric.type, aggregator: 'sum', get: () => Promise.resolve(object(metric.values())), reset: () => undefined };
  registry.registerMetric(readable as unknown as Metric);
}
