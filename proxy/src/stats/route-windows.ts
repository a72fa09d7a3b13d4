import { LATENCY_BUCKETS, latencyBucket } from './latency-histogram.js';

/** Requests, failures and a latency histogram of one route and backend over some buckets. */
export interface WindowFigures {
  readonly requests: number;
  readonly errors: number;
  /** Per latency bucket (latency-histogram.ts). */
  readonly latency: Uint32Array;
}

export interface BucketFigures extends WindowFigures {
  /** Start of the bucket, epoch ms. */
  readonly t: number;
}

export interface RouteWindowsOptions {
  /** Width of one time bucket (default 10 000 ms). */
  readonly bucketMs?: number;
  /** Buckets kept (default 90: 15 minutes of 10 s). */
  readonly buckets?: number;
  readonly clock?: () => number;
}

/** A failed answer: 5xx, or an upstream failure. */
export type FailureListener = (route: string, backend: string) => void;

export interface RouteWindows {
  readonly bucketMs: number;
  readonly buckets: number;
  readonly clock: () => number;
  /** One answered request. `failed`: a 5xx, or an upstream failure (refused, timeout, cut short). */
  record(route: string, backend: string, status: number, ms: number, failed: boolean): void;
  /** Called on each failed request only (never on the common path). */
  onFailure(listener: FailureListener | undefined): void;
  /** Route → backends seen. */
  seen(): Map<string, string[]>;
  /** Totals over the buckets that start at or after `sinceMs` (bucket-aligned down) up to now. */
  window(route: string, backend: string, sinceMs: number): WindowFigures;
  /** Each kept bucket from `sinceMs` to now, oldest first (empty ones included). */
  series(route: string, backend: string, sinceMs: number): BucketFigures[];
}

interface Series {
  /** Which bucket (epoch ms / bucketMs) each slot holds now; -1 when never used. */
  readonly epochs: Float64Array;
  /** Per slot: requests, errors. */
  readonly counts: Uint32Array;
  /** Per slot: LATENCY_BUCKETS counts. */
  readonly latency: Uint32Array;
  firstEpoch: number;
}

/**
 * Per-route, per-backend figures over a sliding window of fixed time buckets (by default
 * 90 of 10 s), in typed arrays allocated once per route and backend. Recording a request
 * costs two Map lookups, a log2 and three increments; a slot is cleared when the clock
 * moves into it again. Read by the rollout gates and `GET /__proxy/stats`.
 */
export function createRouteWindows(options: RouteWindowsOptions = {}): RouteWindows {
  const bucketMs = options.bucketMs ?? 10_000;
  const size = options.buckets ?? 90;
  const clock = options.clock ?? Date.now;
  const byRoute = new Map<string, Map<string, Series>>();
  let failureListener: FailureListener | undefined;

  function newSeries(epoch: number): Series {
    return { epochs: new Float64Array(size).fill(-1), counts: new Uint32Array(size * 2), latency: new Uint32Array(size * LATENCY_BUCKETS), firstEpoch: epoch };
  }

  function seriesOf(route: string, backend: string): Series | undefined {
    return byRoute.get(route)?.get(backend);
  }

  /** The slot of `epoch` if it still holds that bucket. */
  function slotHolding(s: Series, epoch: number): number {
    const slot = epoch % size;
    return s.epochs[slot] === epoch ? slot : -1;
  }

  function record(route: string, backend: string, _status: number, ms: number, failed: boolean): void {
    const epoch = Math.floor(clock() / bucketMs);
    let backends = byRoute.get(route);
    if (!backends) {
      backends = new Map();
      byRoute.set(route, backends);
    }
    let s = backends.get(backend);
    if (!s) {
      s = newSeries(epoch);
      backends.set(backend, s);
    }
    const slot = epoch % size;
    if (s.epochs[slot] !== epoch) {
      s.epochs[slot] = epoch;
      s.counts[slot * 2] = 0;
      s.counts[slot * 2 + 1] = 0;
      s.latency.fill(0, slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS);
    }
    s.counts[slot * 2] = (s.counts[slot * 2] as number) + 1;
    const at = slot * LATENCY_BUCKETS + latencyBucket(ms);
    s.latency[at] = (s.latency[at] as number) + 1;
    if (failed) {
      s.counts[slot * 2 + 1] = (s.counts[slot * 2 + 1] as number) + 1;
      failureListener?.(route, backend);
    }
  }

  function window(route: string, backend: string, sinceMs: number): WindowFigures {
    const latency = new Uint32Array(LATENCY_BUCKETS);
    const s = seriesOf(route, backend);
    if (!s) return { requests: 0, errors: 0, latency };
    const now = Math.floor(clock() / bucketMs);
    const from = Math.max(Math.floor(sinceMs / bucketMs), now - size + 1);
    let requests = 0;
    let errors = 0;
    for (let epoch = from; epoch <= now; epoch++) {
      const slot = slotHolding(s, epoch);
      if (slot < 0) continue;
      requests += s.counts[slot * 2] as number;
      errors += s.counts[slot * 2 + 1] as number;
      const base = slot * LATENCY_BUCKETS;
      for (let i = 0; i < LATENCY_BUCKETS; i++) latency[i] = (latency[i] as number) + (s.latency[base + i] as number);
    }
    return { requests, errors, latency };
  }

  function series(route: string, backend: string, sinceMs: number): BucketFigures[] {
    const s = seriesOf(route, backend);
    if (!s) return [];
    const now = Math.floor(clock() / bucketMs);
    const from = Math.max(Math.floor(sinceMs / bucketMs), now - size + 1, s.firstEpoch);
    const out: BucketFigures[] = [];
    for (let epoch = from; epoch <= now; epoch++) {
      const slot = slotHolding(s, epoch);
      out.push(slot < 0
        ? { t: epoch * bucketMs, requests: 0, errors: 0, latency: new Uint32Array(LATENCY_BUCKETS) }
        : { t: epoch * bucketMs, requests: s.counts[slot * 2] as number, errors: s.counts[slot * 2 + 1] as number, latency: s.latency.slice(slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS) });
    }
    return out;
  }

  return {
    bucketMs,
    buckets: size,
    clock,
    record,
    onFailure(listener) {
      failureListener = listener;
    },
    seen: () => new Map([...byRoute].map(([route, backends]) => [route, [...backends.keys()]])),
    window,
    series,
  };
}
