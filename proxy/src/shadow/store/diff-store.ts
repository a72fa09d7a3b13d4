import { openDatabase, type SqliteDatabase } from '../../../../lib/sqlite.js';
import type { DiffRecord, ShadowEventKind } from './diff-record.js';
import { createDiffQueries, type DiffQueries } from './diff-queries.js';
import { prepareDiffSchema } from './diff-schema.js';
import type { NoiseEntry } from '../diff/noise.js';

export interface DiffStoreOptions {
  /** Rows kept per route; the oldest are pruned past it (default 10 000). */
  readonly maxRowsPerRoute?: number;
  /** Full exchanges (request and both bodies) kept per route for `diff export` (default 100). */
  readonly maxExchangesPerRoute?: number;
  /** Flush pending rows after this long (default 100 ms) or this many rows (default 100). */
  readonly flushMs?: number;
  readonly flushRows?: number;
  /** Rows waiting for a flush beyond this are dropped and counted (the disk is stuck). */
  readonly maxPending?: number;
  readonly clock?: () => number;
}

/** The writes a store takes (the shadow thread is their only caller in the proxy). */
export interface DiffSink {
  record(row: DiffRecord): void;
  count(route: string, kind: ShadowEventKind, n?: number): void;
  saveNoise(entries: readonly NoiseEntry[]): void;
  loadNoise(): NoiseEntry[];
}

export interface DiffStore extends DiffSink, DiffQueries {
  /** Writes what is pending now (tests and shutdown). */
  flush(): void;
  /** Flushes, stops the timer; closes the database only if the store opened it. */
  close(): void;
}


const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const MAX_PATH_CHARS = 2048;

/**
 * The shadow comparisons file (DIFFS_PATH, default data/diffs.db). Writes are queued and
 * flushed in one transaction every ~100 ms or 100 rows, off the request that caused them;
 * each route keeps its newest `maxRowsPerRoute` rows, pruned in batches.
 *
 * @example
 * const store = createDiffStore(openDatabase('data/diffs.db'));
 * store.record(row); store.summary({ since: Date.now() - 3600_000 });
 */
export function createDiffStore(db: SqliteDatabase, options: DiffStoreOptions = {}, ownsDb = false): DiffStore {
  const maxRows = options.maxRowsPerRoute ?? 10_000;
  const maxExchanges = options.maxExchangesPerRoute ?? 100;
  const flushMs = options.flushMs ?? 100;
  const flushRows = options.flushRows ?? 100;
  const maxPending = options.maxPending ?? 10_000;
  const clock = options.clock ?? Date.now;
  const pruneSlack = Math.max(50, Math.floor(maxRows / 10));

  prepareDiffSchema(db);
  const insertDiff = db.prepare(`INSERT INTO diffs (at, route, method, path, request_id, primary_backend, shadow_backend,
    primary_status, shadow_status, match, differences, omitted, primary_ms, shadow_ms, error, raced)
    VALUES (@at, @route, @method, @path, @requestId, @primaryBackend, @shadowBackend, @primaryStatus, @shadowStatus,
    @match, @differences, @omitted, @primaryMs, @shadowMs, @error, @raced)`);
  const insertExchange = db.prepare('INSERT INTO diff_exchanges (diff_id, route, exchange) VALUES (?, ?, ?)');
  const addEvents = db.prepare(`INSERT INTO shadow_events (route, minute, dropped, oversized) VALUES (?, ?, ?, ?)
    ON CONFLICT (route, minute) DO UPDATE SET dropped = dropped + excluded.dropped, oversized = oversized + excluded.oversized`);
  const upsertNoise = db.prepare(`INSERT INTO shadow_noise (route, pattern, hits, first_at, last_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (route, pattern) DO UPDATE SET hits = excluded.hits, last_at = excluded.last_at`);
  const countRows = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM diffs WHERE route = ?');
  const pruneRows = db.prepare(`DELETE FROM diffs WHERE route = ? AND at < (
    SELECT at FROM diffs WHERE route = ? ORDER BY at DESC LIMIT 1 OFFSET ?)`);
  const pruneExchanges = db.prepare(`DELETE FROM diff_exchanges WHERE route = ? AND diff_id < (
    SELECT diff_id FROM diff_exchanges WHERE route = ? ORDER BY diff_id DESC LIMIT 1 OFFSET ?)`);
  const pruneEvents = db.prepare('DELETE FROM shadow_events WHERE minute < ?');

  const rowsPerRoute = new Map<string, number>();
  for (const r of db.prepare<[], { route: string; n: number }>('SELECT route, count(*) AS n FROM diffs GROUP BY route').all()) {
    rowsPerRoute.set(r.route, r.n);
  }
  pruneEvents.run(Math.floor((clock() - EVENT_RETENTION_MS) / 60_000));

  let pending: DiffRecord[] = [];
  let events = new Map<string, { dropped: number; oversized: number }>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const writeAll = db.transaction((rows: DiffRecord[], counts: Map<string, { dropped: number; oversized: number }>) => {
    const touched = new Set<string>();
    const withExchanges = new Set<string>();
    for (const row of rows) {
      const info = insertDiff.run({
        at: row.at,
        route: row.route,
        method: row.method,
        path: row.path.slice(0, MAX_PATH_CHARS),
        requestId: row.requestId ?? null,
        primaryBackend: row.primaryBackend,
        shadowBackend: row.shadowBackend,
        primaryStatus: row.primaryStatus ?? null,
        shadowStatus: row.shadowStatus ?? null,
        match: row.match ? 1 : 0,
        differences: JSON.stringify(row.differences),
        omitted: row.omitted,
        primaryMs: row.primaryMs ?? null,
        shadowMs: row.shadowMs ?? null,
        error: row.error ?? null,
        raced: row.raced ? 1 : 0,
      });
      if (row.exchange && !row.match && !row.raced) {
        insertExchange.run(info.lastInsertRowid, row.route, JSON.stringify(row.exchange));
        withExchanges.add(row.route);
      }
      rowsPerRoute.set(row.route, (rowsPerRoute.get(row.route) ?? 0) + 1);
      touched.add(row.route);
    }
    const minute = Math.floor(clock() / 60_000);
    for (const [key, c] of counts) addEvents.run(key, minute, c.dropped, c.oversized);
    for (const route of touched) {
      if ((rowsPerRoute.get(route) ?? 0) > maxRows + pruneSlack) {
        pruneRows.run(route, route, maxRows - 1);
        rowsPerRoute.set(route, countRows.get(route)?.n ?? 0);
      }
    }
    for (const route of withExchanges) pruneExchanges.run(route, route, maxExchanges - 1);
  });

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 && events.size === 0) return;
    const rows = pending;
    const counts = events;
    pending = [];
    events = new Map();
    writeAll(rows, counts);
  }

  function schedule(): void {
    if (closed) return;
    if (pending.length >= flushRows) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, 0);
    } else {
      timer ??= setTimeout(flush, flushMs);
    }
    timer.unref();
  }

  function count(route: string, kind: ShadowEventKind, n = 1): void {
    const c = events.get(route) ?? { dropped: 0, oversized: 0 };
    c[kind] += n;
    events.set(route, c);
    schedule();
  }

  return {
    record(row) {
      if (pending.length >= maxPending) {
        count(row.route, 'dropped');
        return;
      }
      pending.push(row);
      schedule();
    },
    count,
    saveNoise(entries) {
      const save = db.transaction(() => {
        for (const e of entries) upsertNoise.run(e.route, e.pattern, e.hits, e.firstAt, e.lastAt);
      });
      save();
    },
    loadNoise() {
      return db.prepare<[], { route: string; pattern: string; hits: number; first_at: number; last_at: number }>(
        'SELECT route, pattern, hits, first_at, last_at FROM shadow_noise ORDER BY route, pattern',
      ).all().map((r) => ({ route: r.route, pattern: r.pattern, hits: r.hits, firstAt: r.first_at, lastAt: r.last_at }));
    },
    flush,
    close() {
      if (closed) return;
      flush();
      closed = true;
      if (ownsDb) db.close();
    },
    ...createDiffQueries(db, clock),
  };
}

/** Opens (creating if needed) the diffs file and a store that closes it on close(). */
export function openDiffStore(path: string, options: DiffStoreOptions = {}): DiffStore {
  let db: SqliteDatabase;
  try {
    db = openDatabase(path);
  } catch (err) {
    throw new Error(`cannot open the shadow diffs file ${path} (DIFFS_PATH): ${(err as Error).message}; point DIFFS_PATH at a writable file`, { cause: err });
  }
  return createDiffStore(db, options, true);
}
