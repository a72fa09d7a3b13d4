import { bucketValue, createRouteWindows, LATENCY_BUCKETS, latencyBucket, type RouteWindows } from '../stats/index.js';

/** What one worker answered since its last report, per route and backend: requests per latency bucket, failed or not. */
export interface WindowDelta {
  readonly route: string;
  readonly backend: string;
  /** Per latency bucket: answered requests that did not fail. */
  readonly ok: Uint32Array;
  /** Per latency bucket: failed ones (5xx, or an upstream failure). */
  readonly failed: Uint32Array;
}

export interface WorkerWindows {
  /** The windows the worker's hot path records into. */
  readonly windows: RouteWindows;
  /** What was recorded since the last take, and starts a new delta. Empty when nothing was. */
  take(): WindowDelta[];
}

/**
 * A worker's side of the rollout gates and `/__proxy/stats`: requests are counted where
 * they are answered, in a worker, and read where the gates run, in the primary. The worker
 * records as a single proxy does, and also into a small per-second delta it reports; the
 * primary adds the deltas into its own windows (`applyWindowDeltas`). A report costs the
 * worker one message a second, whatever the traffic.
 */
export function createWorkerWindows(bucketMs?: number): WorkerWindows {
  const local = createRouteWindows({ bucketMs });
  let pending = new Map<string, { route: string; backend: string; ok: Uint32Array; failed: Uint32Array }>();
  const windows: RouteWindows = {
    ...local,
    record(route, backend, status, ms, failed) {
      local.record(route, backend, status, ms, failed);
      const key = `${route}\u0000${backend}`;
      let delta = pending.get(key);
      if (!delta) {
        delta = { route, backend, ok: new Uint32Array(LATENCY_BUCKETS), failed: new Uint32Array(LATENCY_BUCKETS) };
        pending.set(key, delta);
      }
      const counts = failed ? delta.failed : delta.ok;
      const at = latencyBucket(ms);
      counts[at] = (counts[at] as number) + 1;
    },
  };
  return {
    windows,
    take() {
      if (pending.size === 0) return [];
      const out = [...pending.values()];
      pending = new Map();
      return out;
    },
  };
}

/** Adds a worker's delta into the primary's windows: each request lands in its own latency bucket, now. */
export function applyWindowDeltas(windows: RouteWindows, deltas: readonly WindowDelta[]): void {
  for (const { route, backend, ok, failed } of deltas) {
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      const ms = bucketValue(i);
      for (let n = ok[i] as number; n > 0; n--) windows.record(route, backend, 200, ms, false);
      for (let n = failed[i] as number; n > 0; n--) windows.record(route, backend, 502, ms, true);
    }
  }
}
