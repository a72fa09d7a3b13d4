import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { createRequestMetrics } from './request-metrics.js';
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

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The proxy's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * two proxies in one process (tests) never share counters. The two every request updates
 * live in request-metrics.ts; the rarer ones are prom-client's own.
 */
export function createProxyMetrics(options: { processMetrics?: boolean } = {}): ProxyMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = createRequestMetrics(registry, DURATION_BUCKETS);
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

  return {
    registry,
    request: requests.record,
    upstreamError: (backend, kind) => upstreamErrors.inc({ backend, kind }),
    retry: (backend) => retries.inc({ backend }),
    reload: (result) => reloads.inc({ result }),
    upgrade: (route, backend) => upgrades.inc({ route, backend }),
  };
}
