import { Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Logger } from '../../../lib/logger.js';
import { compareAnswers } from './compare-answers.js';
import type { CompareJob } from './compare-job.js';
import { startCompareThread } from './compare-thread.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { applyHeaderChanges, copyRequestHeaders } from './copy-headers.js';
import { createDiffer, headerValue, type Differ } from './diff.js';
import type { DiffSink } from './diff-store.js';
import { NoiseBook } from './noise.js';
import { sendCopy, type CopyResult } from './send-copy.js';
import { NO_METRICS, type ShadowMetrics } from './shadow-metrics.js';
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
   * Copies leave this long after their primary's answer was delivered (default 2 ms), in
   * one batch per timer. Sending at once puts the copy's work (the request, the shadow
   * backend's answer, the comparison) on the same cores in the very moment the client is
   * reading its answer: where the client shares the host (a sidecar proxy, a gateway on
   * the frontend's machine, the bench) that delays the answer it reads (npm run bench:
   * +0.3 ms p50 at once, none at 1 ms). 0 sends at once.
   */
  readonly dispatchDelayMs?: number;
  /** Noise learning: the first N safe requests of a route are sampled, then `percent` of them. */
  readonly noiseSample?: { readonly first: number; readonly percent: number };
}

export interface ShadowerDeps extends ShadowerOptions {
  readonly sink: DiffSink;
  readonly metrics?: ShadowMetrics;
  readonly authorizeShadow?: AuthorizeShadow;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly clock?: () => number;
}

export interface Shadower {
  /** Whether to mirror this request (method, percent, bounds); a tap to feed, or undefined. */
  begin(start: MirrorStart): ShadowTap | undefined;
  /** Resolves when no copy is being captured, sent or compared (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops mirroring, waits up to `graceMs` for copies in flight, closes sockets. */
  close(graceMs?: number): Promise<void>;
}

/** No learned noise: for the quick look at identical answers, which only ever reports a match. */
const NO_NOISE = new NoiseBook();

const EMPTY_BODY: BodyCopy = Object.freeze({ body: Buffer.alloc(0), truncated: false, complete: true });

/**
 * Mirrors a sample of a route's requests to its shadow backend and records how the two
 * answers compare. The client's exchange is never touched: bodies are copied as they
 * stream past (bounded), the copy goes out shortly after the primary has answered
 * (dispatchDelayMs), on its own sockets, deadline and concurrency bound, and the
 * comparison runs after both are in.
 *
 * @example
 * const shadower = createShadower({ sink: openDiffStore('data/diffs.db') });
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
  const dispatchDelayMs = deps.dispatchDelayMs ?? 2;
  const metrics = deps.metrics ?? NO_METRICS;
  const random = deps.random ?? Math.random;
  const clock = deps.clock ?? Date.now;
  const authorize = deps.authorizeShadow ?? (() => undefined);
  const { sink, logger } = deps;

  const thread = startCompareThread(() => sink.loadNoise());
  const gate = new ConcurrencyGate(maxInFlight, maxQueued);
  const differs = new WeakMap<ShadowSettings, Differ | undefined>();
  const agents = new Map<string, Agent>();
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

  function differFor(settings: ShadowSettings, route: string): Differ | undefined {
    if (differs.has(settings)) return differs.get(settings);
    const r = createDiffer({ ignore: settings.ignore, unordered: settings.unordered, headers: settings.headers });
    if (!r.ok) logger?.error({ route, errors: r.errors }, `routes.yaml: ${route}.shadow: not shadowing: ${r.errors.join('; ')}`);
    differs.set(settings, r.ok ? r.differ : undefined);
    return r.ok ? r.differ : undefined;
  }

  function agentFor(backend: ShadowBackend): Agent {
    let agent = agents.get(backend.url.origin);
    if (!agent) {
      // Own sockets: copies never queue behind (or in front of) client traffic. Idle sockets
      // close before a backend's usual 5 s keep-alive does, so a reused one is rarely dead.
      agent = new Agent({ keepAlive: true, maxSockets: maxInFlight * 2, maxFreeSockets: maxInFlight, timeout: 4000 });
      agents.set(backend.url.origin, agent);
    }
    return agent;
  }

  function drop(route: string, kind: 'dropped' | 'oversized'): void {
    sink.count(route, kind);
    metrics.result(route, kind);
  }

  function begin(start: MirrorStart): ShadowTap | undefined {
    const { settings, method, req } = start;
    if (closed || req.headers.upgrade) return undefined;
    if (!settings.methods.includes(method) || (!settings.unsafe && !isSafeMethod(method))) return undefined;
    if (!(settings.percent >= 100 || random() * 100 < settings.percent)) return undefined;
    const differ = differFor(settings, start.route);
    if (!differ) return undefined;
    if (open >= maxInFlight + maxQueued || buffered >= maxBufferedBytes) {
      drop(start.route, 'dropped');
      return undefined;
    }
    open++;
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
            await mirror(start, differ as Differ, headers, reqCopy.body, primaryAnswer, durationMs);
          } catch (err) {
            logger?.error({ err, route: start.route, reqId: start.requestId }, 'shadow comparison failed');
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
    start: MirrorStart, differ: Differ, headers: OutgoingHttpHeaders, body: Buffer,
    primaryAnswer: { status: number; headers: IncomingHttpHeaders; body: Buffer }, primaryMs: number,
  ): Promise<void> {
    const { route, settings } = start;
    const send = async (backend: ShadowBackend): Promise<CopyResult> => sendCopy({
      origin: backend.url,
      method: start.method,
      pathAndSearch: start.pathAndSearch,
      headers: applyHeaderChanges(headers, await authorize(start.req, backend)),
      body,
      timeoutMs: settings.timeoutMs,
      maxBytes: maxBodyBytes,
      agent: agentFor(backend),
    });
    const probe = sampleNoiseNow(settings, start) ? send(start.primary) : undefined;
    const [shadowResult, probeResult] = await Promise.all([send(start.shadow), probe]);
    const job: CompareJob = {
      request: {
        route, method: start.method, pathAndSearch: start.pathAndSearch, requestId: start.requestId,
        contentType: headerValue(start.req.headers['content-type']), primaryBackend: start.primary.name, shadowBackend: start.shadow.name,
      },
      diff: { ignore: settings.ignore, unordered: settings.unordered, headers: settings.headers },
      primaryAnswer, primaryMs, shadowResult, probeResult, requestBody: body, maxBodyBytes, at: clock(),
    };
    // The same bytes back (the common case once a route matches) are settled here, for the
    // cost of a memcmp; anything else is decoded, parsed and diffed on the comparison thread,
    // off the primaries' loop. Only a match is taken from the quick look: learned noise can
    // only remove differences, never add one.
    const identical = shadowResult.ok && !probeResult && shadowResult.answer.body.equals(primaryAnswer.body);
    const quick = identical ? await compareAnswers({ ...job, primaryAnswer, requestBody: body, differ, noise: NO_NOISE }) : undefined;
    const comparison = quick?.kind === 'matched' ? quick : await thread.compare(job);
    if (comparison.learned.length) sink.saveNoise(comparison.learned);
    if (comparison.kind === 'oversized') {
      drop(route, 'oversized');
      return;
    }
    sink.record(comparison.record);
    metrics.result(route, comparison.kind);
    if (comparison.kind !== 'matched') {
      logger?.debug({ route, reqId: start.requestId, error: comparison.record.error, differences: comparison.record.differences.slice(0, 5) }, `shadow ${comparison.kind}: ${start.method} ${start.pathAndSearch}`);
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
    idle,
    async close(graceMs = 2000) {
      closed = true;
      await Promise.race([idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
      await thread.close();
    },
  };
}
