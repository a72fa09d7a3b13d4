import { Counter, type Registry } from 'prom-client';

export type ShadowResult = 'matched' | 'mismatched' | 'raced' | 'error' | 'dropped' | 'oversized';

/** What the shadower counts; a narrow seam so it does not depend on a registry. */
export interface ShadowMetrics {
  result(route: string, result: ShadowResult): void;
}

const RESULTS: readonly ShadowResult[] = ['matched', 'mismatched', 'raced', 'error', 'dropped', 'oversized'];

/** `proxy_shadow_requests_total{route,result}` in the given registry (the proxy's own). */
export function createShadowMetrics(registry: Registry): ShadowMetrics {
  const counter = new Counter({
    name: 'proxy_shadow_requests_total',
    help: 'Shadow copies by route and result: matched, mismatched, raced (differed around a write), error (shadow failed), dropped (over the bound), oversized (body over the cap).',
    labelNames: ['route', 'result'] as const,
    registers: [registry],
  });
  const children = new Map<string, Counter.Internal>();
  return {
    result(route, result) {
      const key = `${route}\u0000${result}`;
      let child = children.get(key);
      if (!child) {
        // A route's first result also creates its other series at 0, so rates have a baseline.
        for (const r of RESULTS) if (r !== result && !children.has(`${route}\u0000${r}`)) children.set(`${route}\u0000${r}`, counter.labels(route, r));
        child = counter.labels(route, result);
        children.set(key, child);
        for (const r of RESULTS) children.get(`${route}\u0000${r}`)?.inc(0);
      }
      child.inc();
    },
  };
}

export const NO_METRICS: ShadowMetrics = { result: () => undefined };
