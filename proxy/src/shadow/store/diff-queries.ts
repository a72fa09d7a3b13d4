import type { SqliteDatabase } from '../../../../lib/sqlite.js';
import type { Exchange } from './diff-record.js';
import type { Difference } from '../diff/difference.js';
import { NOISE_MIN_HITS } from '../diff/noise.js';
import { hasColumn } from './diff-schema.js';

export interface SummaryQuery {
  readonly route?: string;
  /** Epoch ms; rows before it are left out. */
  readonly since?: number;
  /** Differing paths listed per route (default 10). */
  readonly topPaths?: number;
  /** Sample mismatches per route (default 3). */
  readonly samples?: number;
}

export interface PathCount {
  /** Generalised (`$[*].email`): the same field in every element counts as one. */
  readonly path: string;
  /** Comparisons in which it differed. */
  readonly count: number;
}

export interface SampleMismatch {
  readonly id: number;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | null;
  readonly primaryBackend: string;
  readonly shadowBackend: string;
  readonly primaryStatus: number | null;
  readonly shadowStatus: number | null;
  readonly differences: Difference[];
  readonly omitted: number;
}

export interface RouteSummary {
  readonly route: string;
  /** Comparisons made: matched + mismatched + raced + errors. */
  readonly shadowed: number;
  readonly matched: number;
  readonly mismatched: number;
  /**
   * Differed while a write went through the proxy (between the primary's arrival and the
   * shadow's answer): the backends may have read different data. Left out of the match rate.
   */
  readonly raced: number;
  /** Shadow copies that failed (timeout, refused, …); they count against the match rate. */
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Not mirrored: over the concurrency bound or the queue. */
  readonly dropped: number;
  /** Not mirrored or not compared: a body over the capture cap. */
  readonly oversized: number;
  /** matched / (shadowed − raced) × 100, one decimal (rounded down); null when nothing was compared. */
  readonly matchRate: number | null;
  readonly primaryMsAvg: number | null;
  readonly shadowMsAvg: number | null;
  readonly topPaths: readonly PathCount[];
  readonly samples: readonly SampleMismatch[];
  /** Fields learned as noise (left out of comparisons). */
  readonly noise: readonly { pattern: string; hits: number; lastAt: string }[];
}

export interface DiffReport {
  readonly generatedAt: string;
  readonly since: string | null;
  readonly routes: readonly RouteSummary[];
}

export interface StoredMismatch {
  readonly id: number;
  readonly at: string;
  readonly route: string;
  readonly primaryBackend: string;
  readonly shadowBackend: string;
  readonly requestId: string | null;
  readonly differences: Difference[];
  readonly exchange: Exchange;
}

export interface DiffQueries {
  /** The per-route summary behind `strangler diff-report` and `/__proxy/diffs`. */
  summary(query?: SummaryQuery): DiffReport;
  /** Newest mismatches of a route with their full exchanges, for `diff export`. */
  mismatches(route: string, limit?: number): StoredMismatch[];
}

interface CountRow { route: string; shadowed: number; matched: number; raced: number | null; errors: number; p: number | null; s: number | null }

export function createDiffQueries(db: SqliteDatabase, clock: () => number): DiffQueries {
  // A file from before `raced` existed, opened read-only (the CLI), has no such column.
  const hasRaced = hasColumn(db, 'diffs', 'raced');
  const raced = hasRaced ? 'raced' : '0';
  const counts = db.prepare<[number, string | null, string | null], CountRow>(`
    SELECT route, count(*) AS shadowed, sum(match) AS matched, sum(${raced}) AS raced, count(error) AS errors,
           avg(primary_ms) AS p, avg(shadow_ms) AS s
    FROM diffs WHERE at >= ? AND (? IS NULL OR route = ?) GROUP BY route`);
  const errorKinds = db.prepare<[string, number], { error: string; n: number }>(
    'SELECT error, count(*) AS n FROM diffs WHERE route = ? AND at >= ? AND error IS NOT NULL GROUP BY error ORDER BY n DESC');
  const events = db.prepare<[number, string | null, string | null], { route: string; dropped: number; oversized: number }>(`
    SELECT route, sum(dropped) AS dropped, sum(oversized) AS oversized FROM shadow_events
    WHERE minute >= ? AND (? IS NULL OR route = ?) GROUP BY route`);
  const topPaths = db.prepare<[string, number, number], { path: string; count: number }>(`
    SELECT generalize_path(json_extract(j.value, '$.path')) AS path, count(DISTINCT d.id) AS count
    FROM diffs d, json_each(d.differences) j
    WHERE d.route = ? AND d.at >= ? AND d.match = 0 AND ${hasRaced ? 'd.raced' : '0'} = 0
    GROUP BY 1 ORDER BY count DESC, path LIMIT ?`);
  const samples = db.prepare<[string, number, number], { id: number; at: number; method: string; path: string; request_id: string | null; primary_backend: string; shadow_backend: string; primary_status: number | null; shadow_status: number | null; differences: string; omitted: number }>(`
    SELECT id, at, method, path, request_id, primary_backend, shadow_backend, primary_status, shadow_status, differences, omitted
    FROM diffs WHERE route = ? AND at >= ? AND match = 0 AND error IS NULL AND ${raced} = 0 ORDER BY at DESC, id DESC LIMIT ?`);
  const noise = db.prepare<[string | null, string | null], { route: string; pattern: string; hits: number; last_at: number }>(
    'SELECT route, pattern, hits, last_at FROM shadow_noise WHERE (? IS NULL OR route = ?) ORDER BY hits DESC, pattern');
  const mismatches = db.prepare<[string, number], { id: number; at: number; route: string; primary_backend: string; shadow_backend: string; request_id: string | null; differences: string; exchange: string }>(`
    SELECT d.id, d.at, d.route, d.primary_backend, d.shadow_backend, d.request_id, d.differences, x.exchange
    FROM diff_exchanges x JOIN diffs d ON d.id = x.diff_id
    WHERE x.route = ? ORDER BY x.diff_id DESC LIMIT ?`);

  return {
    summary(query = {}) {
      const since = query.since ?? 0;
      const route = query.route ?? null;
      const byRoute = new Map<string, CountRow & { dropped: number; oversized: number }>();
      for (const r of counts.all(since, route, route)) byRoute.set(r.route, { ...r, dropped: 0, oversized: 0 });
      for (const e of events.all(Math.floor(since / 60_000), route, route)) {
        const r = byRoute.get(e.route) ?? { route: e.route, shadowed: 0, matched: 0, raced: 0, errors: 0, p: null, s: null, dropped: 0, oversized: 0 };
        byRoute.set(e.route, { ...r, dropped: e.dropped, oversized: e.oversized });
      }
      const learned = noise.all(route, route).filter((n) => n.hits >= NOISE_MIN_HITS);
      const routes = [...byRoute.values()].sort((a, b) => a.route.localeCompare(b.route)).map((r): RouteSummary => {
        const matched = r.matched ?? 0;
        const racedCount = r.raced ?? 0;
        const judged = r.shadowed - racedCount;
        return {
          route: r.route,
          shadowed: r.shadowed,
          matched,
          mismatched: judged - matched - r.errors,
          raced: racedCount,
          errors: r.errors,
          errorKinds: Object.fromEntries(errorKinds.all(r.route, since).map((e) => [e.error, e.n])),
          dropped: r.dropped,
          oversized: r.oversized,
          matchRate: judged > 0 ? Math.floor((1000 * matched) / judged) / 10 : null,
          primaryMsAvg: r.p === null ? null : Math.round(r.p * 10) / 10,
          shadowMsAvg: r.s === null ? null : Math.round(r.s * 10) / 10,
          topPaths: topPaths.all(r.route, since, query.topPaths ?? 10),
          samples: samples.all(r.route, since, query.samples ?? 3).map((s) => ({
            id: s.id,
            at: new Date(s.at).toISOString(),
            method: s.method,
            path: s.path,
            requestId: s.request_id,
            primaryBackend: s.primary_backend,
            shadowBackend: s.shadow_backend,
            primaryStatus: s.primary_status,
            shadowStatus: s.shadow_status,
            differences: JSON.parse(s.differences) as Difference[],
            omitted: s.omitted,
          })),
          noise: learned.filter((n) => n.route === r.route).map((n) => ({ pattern: n.pattern, hits: n.hits, lastAt: new Date(n.last_at).toISOString() })),
        };
      });
      return { generatedAt: new Date(clock()).toISOString(), since: query.since === undefined ? null : new Date(since).toISOString(), routes };
    },
    mismatches(route, limit = 100) {
      return mismatches.all(route, limit).map((m) => ({
        id: m.id,
        at: new Date(m.at).toISOString(),
        route: m.route,
        primaryBackend: m.primary_backend,
        shadowBackend: m.shadow_backend,
        requestId: m.request_id,
        differences: JSON.parse(m.differences) as Difference[],
        exchange: JSON.parse(m.exchange) as Exchange,
      }));
    },
  };
}
