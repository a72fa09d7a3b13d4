import type { Logger } from '../../lib/logger.js';
import type { HookSet } from './extension.js';
import type { ProxyMetrics } from './metrics.js';

/** What the http-proxy event handlers (the exchange events and the response writer) share. */
export interface ExchangeEventDeps {
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  readonly hooks: HookSet;
  /** Add `X-Routes-Generation` to responses (diagnostics and tests). */
  readonly exposeGeneration: boolean;
}
