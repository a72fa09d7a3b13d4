import { quantile } from './latency-histogram.js';
import type { RouteWindows } from './route-windows.js';

export interface StatsPoint {
  readonly t: number;
  readonly requests: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface BackendStats {
  /** Over the last minute (six buckets of 10 s). */
  readonly rps: number;
  readonly errorRate: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly requests: number;
  readonly errors: number;
  /** Every bucket of the last 15 minutes since the first request, oldest first. */
  readonly series: StatsPoint[];
}

export interface StatsJson {
  readonly now: number;
  readonly bucketMs: number;
  readonly routes: Record<string, Record<string, BackendStats>>;
}

/** Buckets the headline figures cover: one minute at the default 10 s. */
const RECENT_BUCKETS = 6;

/** The body of `GET /__proxy/stats`: per route and backend, the last minute and a 15-minute series. */
export function statsJson(windows: RouteWindows): StatsJson {
  const now = windows.clock();
  const recentSince = now - (RECENT_BUCKETS - 1) * windows.bucketMs;
  const seriesSince = now - (windows.buckets - 1) * windows.bucketMs;
  const routes: Record<string, Record<string, BackendStats>> = {};
  for (const [route, backends] of windows.seen()) {
    const out: Record<string, BackendStats> = {};
    for (const backend of backends) {
      const recent = windows.window(route, backend, recentSince);
      out[backend] = {
        rps: Math.round((recent.requests / ((RECENT_BUCKETS * windows.bucketMs) / 1000)) * 100) / 100,
        errorRate: recent.requests ? Math.round((recent.errors / recent.requests) * 10_000) / 10_000 : 0,
        p50: quantile(recent.latency, 0.5, recent.requests),
        p99: quantile(recent.latency, 0.99, recent.requests),
        requests: recent.requests,
        errors: recent.errors,
        series: windows.series(route, backend, seriesSince).map((b) => ({
          t: b.t, requests: b.requests, errors: b.errors, p50: quantile(b.latency, 0.5, b.requests), p99: quantile(b.latency, 0.99, b.requests),
        })),
      };
    }
    routes[route] = out;
  }
  return { now, bucketMs: windows.bucketMs, routes };
}
