import type { Registry } from 'prom-client';
import type { Logger } from '../../../../lib/logger.js';
import type { ProxyExtension } from '../../extension.js';
import type { ForwardContext } from '../../forward-context.js';
import { teeStream } from '../../tee-stream.js';
import { createDiffsRouter } from '../store/diffs-router.js';
import { openDiffStore, type DiffStore } from '../store/diff-store.js';
import { createShadowMetrics, type ShadowMetrics } from './shadow-metrics.js';
import { createShadower, SHARED_DATABASE, type Shadower, type ShadowerOptions } from './shadower.js';
import { WriteLog } from './write-log.js';
import { isSafeMethod } from './shadow-settings.js';
import type { ThreadStoreOptions } from './shadow-job.js';
import type { AuthorizeShadow, ShadowTap } from './shadow-settings.js';
import type { ShadowThread } from './shadow-thread.js';

export interface ShadowExtensionOptions extends ShadowerOptions {
  /** diffs.db (DIFFS_PATH, default data/diffs.db): written by the shadow thread, read here. */
  readonly diffsPath?: string;
  /** Plain data: they cross to the shadow thread, which writes with them. */
  readonly storeOptions?: ThreadStoreOptions;
  readonly authorizeShadow?: AuthorizeShadow;
  readonly logger?: Logger;
  /** The proxy's registry, for `proxy_shadow_requests_total` (else registerMetrics does it). */
  readonly registry?: Registry;
  readonly random?: () => number;
  /** Where copies are sent and compared; default a shadow thread of this process's own (a cluster worker's goes to the primary's). */
  readonly thread?: ShadowThread;
  /** The write log; default one of this extension's own (a cluster worker's also tells the primary). */
  readonly writes?: WriteLog;
}

export interface ShadowExtension extends ProxyExtension {
  readonly shadower: Shadower;
  /** The writes that went through the proxy, which make a comparison `raced`. */
  readonly writes: WriteLog;
  readonly store: DiffStore;
  /** Registers `proxy_shadow_requests_total` in the proxy's registry. */
  registerMetrics(registry: Registry): void;
  /**
   * Resolves once the shadow thread answers, when a loaded table shadows anything (else at
   * once), or after `timeoutMs` (default 10 s). Await it before listening: copies sent
   * while the thread loads reach the shadow backend late, after writes their primaries
   * never saw, and prove nothing.
   */
  ready(timeoutMs?: number): Promise<void>;
}

/**
 * Shadow traffic as a proxy extension: routes with a `shadow` block have a sample of their
 * requests mirrored and compared (see shadower.ts); `GET /__proxy/diffs` answers the
 * summary. Put it before the session bridge in the extension list, so the copy starts from
 * the client's own headers and gets its authorisation from `authorizeShadow`.
 *
 * @example
 * const shadow = createShadowExtension({ diffsPath: env.DIFFS_PATH || 'data/diffs.db', logger });
 * createProxy(options, { logger, extensions: [shadow, bridge] });
 */
export function createShadowExtension(options: ShadowExtensionOptions = {}): ShadowExtension {
  const diffsPath = options.diffsPath ?? 'data/diffs.db';
  // This connection reads (GET /__proxy/diffs); the shadow thread is the only writer. Opened
  // on first read: a cluster worker never reads.
  let store: DiffStore | undefined;
  const openStore = () => (store ??= openDiffStore(diffsPath, options.storeOptions));
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  let metrics: ShadowMetrics | undefined = options.registry ? createShadowMetrics(options.registry) : undefined;
  const writes = options.writes ?? new WriteLog();
  const shadower = createShadower({
    ...options,
    diffsPath,
    storeOptions: options.storeOptions,
    // Late-bound: the proxy's registry exists only once the proxy is built.
    metrics: { result: (route, result) => metrics?.result(route, result) },
    writes,
    thread: options.thread,
  });
  const taps = new WeakMap<ForwardContext, ShadowTap>();
  // Unsafe requests of every route (shadowed or not), each in its route's database's sequence.
  const openWrites = new WeakMap<ForwardContext, { database: string; id: number }>();
  let warming: Promise<void> | undefined;
  let closed = false;

  return {
    name: 'shadow',
    shadower,
    writes,
    get store() {
      return openStore();
    },
    registerMetrics(registry) {
      metrics ??= createShadowMetrics(registry);
    },
    onTable(table) {
      if (!warming && table.routes.some((r) => r.shadow)) {
        warming = shadower.warm().catch((err: unknown) => {
          // The first copy starts a fresh thread; until then nothing is lost.
          if (!closed) options.logger?.error({ err }, 'shadow: the shadow thread did not start');
          warming = undefined;
        });
      }
    },
    async ready(timeoutMs = 10_000) {
      if (!warming) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([warming, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    },
    beforeForward(ctx) {
      const database = ctx.route?.database ?? SHARED_DATABASE;
      if (ctx.kind === 'http' && !isSafeMethod(ctx.method)) openWrites.set(ctx, { database, id: writes.open(database, ctx.startedAt) });
      const settings = ctx.route?.shadow;
      if (!settings || ctx.kind !== 'http') return;
      // Paused while the shadow backend is the one answering (cut over, or a canary request).
      if (settings.to === ctx.backend.name) return;
      const shadow = ctx.table.backends.get(settings.to);
      if (!shadow) return;
      const tap = shadower.begin({
        route: ctx.routeName,
        requestId: ctx.requestId,
        method: ctx.method,
        pathAndSearch: ctx.path + ctx.search,
        req: ctx.req,
        primary: ctx.backend,
        shadow,
        settings,
        startedAt: ctx.startedAt,
        database,
      });
      if (!tap) return;
      if (hasBody(ctx)) tap.requestBody(ctx.teeRequestBody(maxBodyBytes));
      taps.set(ctx, tap);
    },
    onResponseHeaders(ctx, upstream) {
      const tap = taps.get(ctx);
      if (!tap) return;
      // A copy: later hooks edit the headers the client gets (the bridge strips its own).
      tap.primaryResponse(upstream.statusCode, { ...upstream.headers }, teeStream(upstream.body, maxBodyBytes));
    },
    afterResponse(ctx, outcome) {
      const write = openWrites.get(ctx);
      if (write !== undefined) {
        openWrites.delete(ctx);
        writes.close(write.database, write.id, outcome.status);
      }
      const tap = taps.get(ctx);
      if (!tap) return;
      taps.delete(ctx);
      tap.end({ answered: outcome.status > 0 && !outcome.aborted && !outcome.failure, durationMs: outcome.durationMs });
    },
    registerAdmin(router) {
      router.use('/diffs', createDiffsRouter(openStore()));
    },
    async close() {
      closed = true;
      await shadower.close();
      store?.close();
    },
  };
}

function hasBody(ctx: ForwardContext): boolean {
  const h = ctx.req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  return Number(h['content-length'] ?? 0) > 0;
}
