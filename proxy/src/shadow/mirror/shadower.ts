import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Logger } from '../../../../lib/logger.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { applyHeaderChanges, copyRequestHeaders } from './copy-headers.js';
import { createDiffer, headerValue } from '../diff/diff.js';
import type { CopySpec, ThreadStoreOptions } from './shadow-job.js';
import { startShadowThread, type ShadowThread } from './shadow-thread.js';
import { NO_METRICS, type ShadowMetrics } from './shadow-metrics.js';
import { WriteLog } from './write-log.js';
import { isSafeMethod, type AuthorizeShadow, type BodyCopy, type MirrorStart, type ShadowBackend, type ShadowSettings, type ShadowTap } from './shadow-settings.js';

export interface ShadowerOptions {
  /** Copies sent at once (default 32). */
  readonly maxInFlight?: number;
  /** Copies waiting for a slot (default 256); more are dropped and counted. */
  readonly maxQueued?: number;
  /** Request and response bodies captured up to this (default 1 MiB); larger are not compared. */
  readonly maxBodyBytes?: number;
  /** All captured bodies together (default 64 MiB); past it new copies are dropped. */
  readonly maxBufferedBytes?: number;
  /**
   * Copies leave this long after their primary's answer was delivered (default 1 ms), in
   * one batch per timer. Sending at once puts the copy's work (the request, the shadow
   * backend's answer, the comparison) on the same cores in the very moment the client is
   * reading its answer: where the client shares the host (a sidecar proxy, a gateway on
   * the frontend's machine, the bench) that delays the answer it reads (npm run bench:
   * +0.3 ms p50 at once, none at 1 ms). Longer widens the window in which a write can
   * slip between the primary's read and the copy's (a `raced` comparison). 0 sends at once.
   */
  readonly dispatchDelayMs?: number;
  /**
   * The shadow thread's nice value on Linux (default 10), where copies are sent and
   * compared: where cores are busy, client traffic gets them first. 0: the process's own.
   */
  readonly threadNice?: number;
  /** Noise learning: the first N safe requests of a route are sampled, then `percent` of them. */
  readonly noiseSample?: { readonly first: number; readonly percent: number };
}

export interface ShadowerDeps extends ShadowerOptions {
  /** diffs.db, written by the shadow thread (its only writer). */
  readonly diffsPath: string;
  readonly storeOptions?: ThreadStoreOptions;
  readonly metrics?: ShadowMetrics;
  readonly authorizeShadow?: AuthorizeShadow;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly clock?: () => number;
  /**
   * The writes going through the proxy (the extension records them): a mismatch whose
   * window overlapped one is recorded as `raced`. Default: a log nobody writes to.
   */
  readonly writes?: WriteLog;
  /** Where copies are sent and compared; default a shadow thread of this process's own. */
  readonly thread?: ShadowThread;
}

/** The write sequence of routes that name no `database`: by default every route writes to one database. */
export const SHARED_DATABASE = 'shared';

export interface Shadower {
  /** Whether to mirror this request (method, percent, bounds); a tap to feed, or undefined. */
  begin(start: MirrorStart): ShadowTap | undefined;
  /** Starts the shadow thread now (a loaded table shadows something); resolves once it answers. */
  warm(): Promise<void>;
  /** Whether the shadow thread runs. */
  threadRunning(): boolean;
  /** Resolves when no copy is being captured, sent or compared (tests, shutdown). */
  idle(): Promise<void>;
  /** Writes the comparisons waiting for their batch to diffs.db now (tests, a report). */
  flush(): Promise<void>;
  /** Stops mirroring, waits up to `graceMs` for copies in flight, closes sockets. */
  close(graceMs?: number): Promise<void>;
}

const EMPTY_BODY: BodyCopy = Object.freeze({ body: Buffer.alloc(0), truncated: false, complete: true });

/**
 * Mirrors a sample of a route's requests to its shadow backend and records how the two
 * answers compare. The client's exchange is never touched: bodies are copied as they
 * stream past (bounded); shortly after the primary has answered (dispatchDelayMs) the
 * copy is authorised here (the bridge's token) and handed to the shadow thread, which sends
 * it on its own sockets and deadline and compares the answers; a concurrency bound and a
 * queue cap hold the rest.
 *
 * @example
 * const shadower = createShadower({ diffsPath: 'data/diffs.db' });
 * const tap = shadower.begin({ route: 'users', requestId, method: 'GET', pathAndSearch: '/users', req, primary, shadow, settings });
 * tap?.primaryResponse(200, headers, teeStream(upstreamRes, 1 << 20));
 * tap?.end({ answered: true, durationMs: 3.2 });
 */
export function createShadower(deps: ShadowerDeps): Shadower {
  const maxInFlight = deps.maxInFlight ?? 32;
  const maxQueued = deps.maxQueued ?? 256;
  const maxBodyBytes = deps.maxBodyBytes ?? 1024 * 1024;
  const maxBufferedBytes = deps.maxBufferedBytes ?? 64 * 1024 * 1024;
  const noiseSample = deps.noiseSample ?? { first: 20, percent: 10 };
  const dispatchDelayMs = deps.dispatchDelayMs ?? 1;
  const metrics = deps.metrics ?? NO_METRICS;
  const random = deps.random ?? Math.random;
  const clock = deps.clock ?? Date.now;
  const authorize = deps.authorizeShadow ?? (() => undefined);
  const writes = deps.writes ?? new WriteLog();
  const { logger } = deps;

  // Copies in flight, plus a noise probe for each.
  const thread = deps.thread ?? startShadowThread({ diffsPath: deps.diffsPath, storeOptions: deps.storeOptions, maxSockets: maxInFlight * 2, nice: deps.threadNice ?? 10 });
  const gate = new ConcurrencyGate(maxInFlight, maxQueued);
  const diffable = new WeakMap<ShadowSettings, boolean>();
  const noiseSeen = new Map<string, number>();
  let open = 0;
  let buffered = 0;
  let closed = false;
  let due: (() => void)[] = [];
  let dueTimer: NodeJS.Timeout | undefined;

  /** Runs `send` after dispatchDelayMs, with every other copy that became due meanwhile. */
  function later(send: () => void): void {
    if (dispatchDelayMs <= 0) return send();
    due.push(send);
    dueTimer ??= setTimeout(() => {
      const batch = due;
      due = [];
      dueTimer = undefined;
      for (const next of batch) next();
    }, dispatchDelayMs);
  }

  /** Whether a route's diff options are sound (checked once per table; the thread builds its own differ). */
  function canDiff(settings: ShadowSettings, route: string): boolean {
    const known = diffable.get(settings);
    if (known !== undefined) return known;
    const r = createDiffer({ ignore: settings.ignore, unordered: settings.unordered, headers: settings.headers });
    if (!r.ok) logger?.error({ route, errors: r.errors }, `routes.yaml: ${route}.shadow: not shadowing: ${r.errors.join('; ')}`);
    diffable.set(settings, r.ok);
    return r.ok;
  }

  function drop(route: string, kind: 'dropped' | 'oversized'): void {
    metrics.result(route, kind);
    thread.count(route, kind).catch((err: unknown) => {
      if (!closed) logger?.error({ err, route }, `shadow: could not count a ${kind} copy in diffs.db`);
    });
  }

  function begin(start: MirrorStart): ShadowTap | undefined {
    const { settings, method, req } = start;
    if (closed || req.headers.upgrade) return undefined;
    if (!settings.methods.includes(method) || (!settings.unsafe && !isSafeMethod(method))) return undefined;
    if (!(settings.percent >= 100 || random() * 100 < settings.percent)) return undefined;
    if (!canDiff(settings, start.route)) return undefined;
    if (open >= maxInFlight + maxQueued || buffered >= maxBufferedBytes) {
      drop(start.route, 'dropped');
      return undefined;
    }
    open++;
    const startedAt = start.startedAt ?? performance.now();
    const headers = copyRequestHeaders(req.headers, start.requestId);
    let requestBody: Promise<BodyCopy> = Promise.resolve(EMPTY_BODY);
    let primary: { status: number; headers: IncomingHttpHeaders; body: Promise<BodyCopy> } | undefined;
    let ended = false;

    const release = (bytes = 0) => {
      open--;
      buffered -= bytes;
    };

    async function run(durationMs: number): Promise<void> {
      if (!primary) return release();
      const [reqCopy, resCopy] = await Promise.all([requestBody, primary.body]);
      if (!reqCopy.complete || !resCopy.complete) return release();
      if (reqCopy.truncated || resCopy.truncated) {
        drop(start.route, 'oversized');
        return release();
      }
      const bytes = reqCopy.body.length + resCopy.body.length;
      buffered += bytes;
      const primaryAnswer = { status: primary.status, headers: primary.headers, body: resCopy.body };
      later(() => {
        const accepted = !closed && buffered <= maxBufferedBytes && gate.offer(async () => {
          try {
            await mirror(start, startedAt, headers, reqCopy.body, primaryAnswer, durationMs);
          } catch (err) {
            if (!closed) logger?.error({ err, route: start.route, reqId: start.requestId }, 'shadow copy failed');
          } finally {
            release(bytes);
          }
        });
        if (!accepted) {
          drop(start.route, 'dropped');
          release(bytes);
        }
      });
    }

    return {
      requestBody(copy) {
        requestBody = copy;
      },
      primaryResponse(status, responseHeaders, body) {
        primary = { status, headers: responseHeaders, body };
      },
      end(outcome) {
        if (ended) return;
        ended = true;
        if (!outcome.answered) {
          release();
          return;
        }
        run(outcome.durationMs).catch((err: unknown) => {
          logger?.error({ err, route: start.route }, 'shadow capture failed');
          release();
        });
      },
    };
  }

  async function mirror(
    start: MirrorStart, startedAt: number, headers: OutgoingHttpHeaders, body: Buffer,
    primaryAnswer: { status: number; headers: IncomingHttpHeaders; body: Buffer }, primaryMs: number,
  ): Promise<void> {
    const { route, settings } = start;
    // Authorised here: the bridge's sessions and token cache live on this thread.
    const spec = async (backend: ShadowBackend): Promise<CopySpec> => ({
      origin: backend.url.href,
      headers: applyHeaderChanges(headers, await authorize(start.req, backend)),
    });
    const probe = sampleNoiseNow(settings, start) ? await spec(start.primary) : undefined;
    const outcome = await thread.mirror({
      request: {
        route, method: start.method, pathAndSearch: start.pathAndSearch, requestId: start.requestId,
        contentType: headerValue(start.req.headers['content-type']), primaryBackend: start.primary.name, shadowBackend: start.shadow.name,
      },
      diff: { ignore: settings.ignore, unordered: settings.unordered, headers: settings.headers },
      primaryAnswer, primaryMs, copy: await spec(start.shadow), probe, timeoutMs: settings.timeoutMs,
      requestBody: body, maxBodyBytes, at: clock(),
    }, (answeredAgoMs) => writes.overlaps(start.database ?? SHARED_DATABASE, startedAt, performance.now() - answeredAgoMs), { database: start.database ?? SHARED_DATABASE, startedAt });
    // Counted in diffs.db by the thread; here only the metric and, for a difference, the log line.
    metrics.result(route, outcome.kind);
    if (outcome.kind === 'mismatched' || outcome.kind === 'error') {
      logger?.debug({ route, reqId: start.requestId, error: outcome.error, differences: outcome.differences }, `shadow ${outcome.kind}: ${start.method} ${start.pathAndSearch}`);
    }
  }

  function sampleNoiseNow(settings: ShadowSettings, start: MirrorStart): boolean {
    if (settings.noise !== 'learn' || !isSafeMethod(start.method)) return false;
    const seen = noiseSeen.get(start.route) ?? 0;
    noiseSeen.set(start.route, seen + 1);
    return seen < noiseSample.first || random() * 100 < noiseSample.percent;
  }

  async function idle(): Promise<void> {
    while (open > 0) await new Promise((r) => setTimeout(r, 5));
    await gate.idle();
  }

  return {
    begin,
    warm: async () => {
      if (!closed) await thread.warm();
    },
    threadRunning: () => thread.running(),
    idle,
    flush: () => thread.flush(),
    async close(graceMs = 2000) {
      closed = true;
      await Promise.race([idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
      // Waiting rows are written; copies still out after the grace fail with the thread
      // (and are not logged: closing).
      await thread.close();
    },
  };
}
