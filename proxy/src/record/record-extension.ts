import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { join, resolve } from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import type { ProxyExtension } from '../extension.js';
import type { ForwardContext } from '../forward-context.js';
import type { Identify } from '../identify.js';
import { teeStream, type TeedBody } from '../tee-stream.js';
import { Recording, type SeenExchange } from './recording.js';
import type { RecordingControl } from './recording-control.js';
import { RECORDED_REQUEST_HEADERS, RECORDED_RESPONSE_HEADERS, type RecordingLimits } from './recording-format.js';
import { createRecordingsRouter } from './recordings-router.js';

export interface RecordExtensionOptions {
  /** Where recordings are written (default data/recordings). */
  readonly dir?: string;
  /** Who a request comes from: the session bridge's `identify` (`user:<id>` is kept, nothing else). */
  readonly identify?: Identify;
  /** Body bytes kept per request and per response (default 64 KiB). */
  readonly maxBodyBytes?: number;
  /** Size of one recording file (default 50 MiB). */
  readonly maxFileBytes?: number;
  readonly logger?: Logger;
  /** Told which route records into which recording whenever that changes (a cluster's primary tells its workers). */
  readonly onActive?: (active: ReadonlyArray<readonly [route: string, recording: string]>) => void;
}

/** Where a captured exchange goes: a recording, or (in a cluster worker) the primary's recording of that id. */
export interface ExchangeSink {
  add(seen: SeenExchange): void;
  skip(): void;
}

export interface RecordExtension extends ProxyExtension, RecordingControl {
  /** A cluster worker: capture these routes into these sinks (the primary's recordings), in place of recordings of its own. */
  follow(active: ReadonlyMap<string, ExchangeSink>): void;
  /** The recording of this id, for exchanges a cluster worker captured; undefined once it ended. */
  sink(id: string): ExchangeSink | undefined;
}

const MAX_DURATION_MS = 24 * 3600 * 1000;
const DEFAULT_DURATION_MS = 10 * 60 * 1000;

interface Capture {
  readonly recording: ExchangeSink;
  readonly user: string | null;
  readonly at: number;
  readonly requestBody: Promise<TeedBody> | undefined;
  response?: { status: number; headers: IncomingHttpHeaders; body: Promise<TeedBody> };
}

/**
 * Records real exchanges of a route, writes included, as the proxy forwards them (see
 * docs/replay.md): method, path, query, a few headers, both bodies (bounded, secrets
 * redacted), status, the user by id and timing, one JSON line each. Bodies are copied as
 * they stream past and lines are written after the answer is complete, so recording never
 * delays or fails a request. Routes are recorded only while an admin asked for it
 * (`POST /__proxy/recordings`, `strangler record`).
 *
 * @example
 * const record = createRecordExtension({ identify: bridge.identify });
 * createProxy(options, { logger, extensions: [shadow, record, bridge] });
 */
export function createRecordExtension(options: RecordExtensionOptions = {}): RecordExtension {
  const dir = resolve(options.dir ?? 'data/recordings');
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const maxFileBytes = options.maxFileBytes ?? 50 * 1024 * 1024;
  const recordings = new Map<string, Recording>();
  let active = new Map<string, ExchangeSink>();
  const captures = new WeakMap<ForwardContext, Capture>();
  let routeNames: readonly string[] = [];
  let redactByRoute = new Map<string, readonly string[]>();
  const announce = () => options.onActive?.([...active].map(([route, sink]) => [route, (sink as Recording).id] as const));

  function userOf(ctx: ForwardContext): string | null {
    if (!options.identify) return null;
    try {
      const identity = options.identify(ctx.req, ctx.table);
      return identity?.startsWith('user:') ? identity.slice('user:'.length) : null;
    } catch {
      return null;
    }
  }

  const extension: RecordExtension = {
    name: 'record',
    onTable(table) {
      routeNames = table.routes.map((r) => r.name);
      redactByRoute = new Map(table.routes.map((r) => [r.name, r.redact ?? []]));
    },
    beforeForward(ctx) {
      if (active.size === 0 || ctx.kind !== 'http') return;
      const recording = active.get(ctx.routeName);
      if (!recording) return;
      const hasBody = ctx.req.headers['transfer-encoding'] !== undefined || Number(ctx.req.headers['content-length'] ?? 0) > 0;
      captures.set(ctx, { recording, user: userOf(ctx), at: Date.now(), requestBody: hasBody ? ctx.teeRequestBody(maxBodyBytes) : undefined });
    },
    onResponseHeaders(ctx, upstream) {
      const capture = captures.get(ctx);
      if (capture) capture.response = { status: upstream.statusCode, headers: { ...upstream.headers }, body: teeStream(upstream.body, maxBodyBytes) };
    },
    afterResponse(ctx, outcome) {
      const capture = captures.get(ctx);
      if (!capture) return;
      captures.delete(ctx);
      const { response } = capture;
      if (!response || outcome.aborted || outcome.status === 0) {
        capture.recording.skip();
        return;
      }
      const empty: TeedBody = { body: Buffer.alloc(0), truncated: false, bytes: 0, complete: true };
      Promise.all([capture.requestBody ?? empty, response.body]).then(([req, res]) => {
        capture.recording.add({
          startedAt: ctx.startedAt,
          at: capture.at,
          durationMs: outcome.durationMs,
          user: capture.user,
          route: ctx.routeName,
          method: ctx.method,
          path: ctx.path,
          query: ctx.search,
          backend: ctx.backend.name,
          request: { headers: pick(ctx.req.headers, RECORDED_REQUEST_HEADERS), contentType: first(ctx.req.headers['content-type']), body: req.body, truncated: req.truncated },
          response: { status: response.status, headers: pick(response.headers, RECORDED_RESPONSE_HEADERS), contentType: first(response.headers['content-type']), body: res.body, truncated: res.truncated },
        });
      }, () => capture.recording.skip());
    },
    start(request) {
      // One recording may cover several routes (`users,mcp`): a replay needs their writes in one order.
      const routes = [...new Set(request.route.split(',').map((r) => r.trim()).filter(Boolean))];
      const unknown = routes.filter((r) => !routeNames.includes(r));
      if (routes.length === 0 || unknown.length) {
        return { ok: false, status: 404, error: `unknown route "${unknown.join(', ') || request.route}" (known: ${routeNames.join(', ') || 'none'}): name a route of routes.yaml, or several separated by commas` };
      }
      for (const route of routes) {
        const busy = active.get(route) as Recording | undefined;
        if (busy) return { ok: false, status: 409, error: `route "${route}" is already being recorded (${busy.id}): stop it first with DELETE /__proxy/recordings/${busy.id}` };
      }
      const count = request.count ?? null;
      const durationMs = request.durationMs === undefined ? (count === null ? DEFAULT_DURATION_MS : null) : request.durationMs;
      if (count !== null && (!Number.isInteger(count) || count < 1)) return { ok: false, status: 400, error: `count ${count}: give a whole number of exchanges from 1` };
      if (durationMs !== null && (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs > MAX_DURATION_MS)) {
        return { ok: false, status: 400, error: `duration ${durationMs} ms: give a duration above 0 and at most 24 h` };
      }
      const limits: RecordingLimits = { bodyBytes: maxBodyBytes, fileBytes: maxFileBytes, exchanges: count, durationMs };
      const id = `${routes.join('+')}-${new Date().toISOString().replace(/[:.]/g, '').replace('T', '-').slice(0, 17)}-${randomBytes(3).toString('hex')}`;
      let recording: Recording;
      try {
        recording = new Recording({
          id, route: routes.join(','), file: join(dir, `${id}.jsonl`), limits, redact: [...new Set(routes.flatMap((r) => redactByRoute.get(r) ?? []))], logger: options.logger,
          onEnd: () => {
            for (const route of routes) if (active.get(route) === recording) active.delete(route);
            announce();
          },
        });
      } catch (err) {
        return { ok: false, status: 500, error: `cannot write a recording in ${dir}: ${(err as Error).message}` };
      }
      recordings.set(id, recording);
      for (const route of routes) active.set(route, recording);
      announce();
      options.logger?.info({ recording: id, route: recording.route, limits }, `recording ${recording.route} into ${recording.file}`);
      return { ok: true, recording: recording.status() };
    },
    async stop(id) {
      const recording = recordings.get(id);
      if (!recording) return undefined;
      await recording.stop('stopped');
      return recording.status();
    },
    follow(next) {
      active = new Map(next);
    },
    sink(id) {
      const recording = recordings.get(id);
      return recording && [...active.values()].includes(recording) ? recording : undefined;
    },
    list: () => [...recordings.values()].map((r) => r.status()),
    get: (id) => recordings.get(id)?.status(),
    registerAdmin(router) {
      router.use('/recordings', createRecordingsRouter(extension));
    },
    async close() {
      await Promise.all([...recordings.values()].filter((r) => [...active.values()].includes(r)).map((r) => r.stop('closed')));
    },
  };
  return extension;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pick(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
