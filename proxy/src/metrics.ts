import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamErrorKind } from './upstream-error.js';

export interface ProxyMetrics {
  readonly registry: Registry;
  /** One finished (or abandoned) proxied request; `status` 0 means no answer was sent. */
  request(route: string, backend: string, status: number, seconds: number): void;
  upstreamError(backend: string, kind: UpstreamErrorKind): void;
  retry(backend: string): void;
  reload(result: 'success' | 'error'): void;
  upgrade(route: string, backend: string): void;
}

const STATUS_CLASSES = ['aborted', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface RouteSeries {
  readonly duration: { observe(value: number): void };
  readonly byClass: ReadonlyArray<{ inc(): void }>;
}

/**
 * The proxy's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * two proxies in one process (tests) never share counters. Label children are cached per
 * route and backend: the hot path does one Map lookup, not a label hash per metric.
 */
export function createProxyMetrics(options: { processMetrics?: boolean } = {}): ProxyMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'proxy_requests_total',
    help: 'Proxied requests by route, backend and status class (aborted: the client left before an answer).',
    labelNames: ['route', 'backend', 'status_class'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'proxy_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by route and backend.',
    labelNames: ['route', 'backend'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'proxy_upstream_errors_total',
    help: 'Failed upstream exchanges by backend and kind (refused, dns, unreachable, reset, timeout, protocol, other).',
    labelNames: ['backend', 'kind'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'proxy_upstream_retries_total',
    help: 'Idempotent requests retried once after a reused keep-alive socket was reset.',
    labelNames: ['backend'] as const,
    registers,
  });
  const reloads = new Counter({
    name: 'proxy_config_reloads_total',
    help: 'routes.yaml reloads by result; an error keeps the last good table.',
    labelNames: ['result'] as const,
    registers,
  });
  const upgrades = new Counter({
    name: 'proxy_websocket_upgrades_total',
    help: 'WebSocket upgrades forwarded, by route and backend.',
    labelNames: ['route', 'backend'] as const,
    registers,
  });
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'error' }, 0);
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const series = new Map<string, RouteSeries>();
  function seriesFor(route: string, backend: string): RouteSeries {
    const key = `${route}\u0000${backend}`;
    let s = series.get(key);
    if (!s) {
      s = {
        duration: duration.labels(route, backend),
        byClass: STATUS_CLASSES.map((c) => requests.labels(route, backend, c)),
      };
      series.set(key, s);
    }
    return s;
  }

  return {
    registry,
    request(route, backend, status, seconds) {
      const s = seriesFor(route, backend);
      const cls = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
      (s.byClass[cls] as { inc(): void }).inc();
      s.duration.observe(seconds);
    },
    upstreamError: (backend, kind) => upstreamErrors.inc({ backend, kind }),
    retry: (backend) => retries.inc({ backend }),
    reload: (result) => reloads.inc({ result }),
    upgrade: (route, backend) => upgrades.inc({ route, backend }),
  };
}
