// Per-route, per-backend figures over a sliding window: what the rollout gates judge and
// what `GET /__proxy/stats` answers.
export { createRouteWindows, type RouteWindows, type RouteWindowsOptions, type WindowFigures, type BucketFigures, type FailureListener } from './route-windows.js';
export { LATENCY_BUCKETS, latencyBucket, bucketValue, quantile } from './latency-histogram.js';
export { statsJson, type StatsJson, type BackendStats, type StatsPoint } from './stats-json.js';
