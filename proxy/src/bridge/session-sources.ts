import type { Logger } from '../../../lib/logger.js';
import { openDatabase } from '../../../lib/sqlite.js';
import type { BackendConfig, RouteTable, SessionConfig } from '../config/index.js';
import { createAdapterSessionSource } from './sources/adapter-source.js';
import { createRedisSessionStore } from './sources/redis-store.js';
import type { SessionSource } from './sources/session-source.js';
import { createSqliteSessionStore } from './sources/sqlite-store.js';
import { storeSessionSource } from './sources/store-source.js';

/** The legacy backend whose sessions the bridge reads, and its open source. */
export interface SessionBinding {
  readonly backend: BackendConfig;
  readonly config: SessionConfig;
  readonly source: SessionSource;
  /** The secrets its cookies are signed with (session.secrets, else SESSION_SECRET). */
  readonly secrets: readonly string[];
}

export interface SessionSources {
  /** The binding for a routing table: its default backend when that is a session backend, else its first. */
  forTable(table: RouteTable): SessionBinding | undefined;
  close(): Promise<void>;
}

export interface SessionSourcesOptions {
  /** DATABASE_PATH: the sqlite source's file when routes.yaml names none. */
  readonly databasePath: string;
  /** SESSION_SECRET as a list, when routes.yaml names no secrets. */
  readonly sessionSecrets: readonly string[];
  readonly secureCookies: boolean;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** A source that is replaced (its settings changed in routes.yaml) is closed after requests using it are done. */
const RETIRE_AFTER_MS = 30_000;

/**
 * Opens each session backend's source once, on first use, and again only when its settings
 * in routes.yaml change: a reload that leaves them alone keeps the connection, cache and
 * prepared statements. Opening fails loudly at start (the proxy calls forTable on the first
 * table), and a failure on reload keeps the previous source.
 */
export function openSessionSources(options: SessionSourcesOptions): SessionSources {
  const open = new Map<string, { key: string; binding: SessionBinding; close: () => Promise<void> }>();
  const retiring = new Map<NodeJS.Timeout, () => Promise<void>>();
  const pending: Promise<void>[] = [];

  function choose(table: RouteTable): BackendConfig | undefined {
    const first = table.backends.get(table.defaultBackend);
    if (first?.session) return first;
    for (const b of table.backends.values()) if (b.session) return b;
    return undefined;
  }

  function openBinding(backend: BackendConfig, config: SessionConfig): { binding: SessionBinding; close: () => Promise<void> } {
    const secrets = config.secrets ?? options.sessionSecrets;
    const deps = { config, secrets, secure: options.secureCookies, logger: options.logger };
    if (config.source === 'sqlite') {
      const db = openDatabase(config.sqlite.path ?? options.databasePath);
      const source = storeSessionSource('sqlite', createSqliteSessionStore(db, config, options.logger, options.clock), deps);
      return { binding: { backend, config, source, secrets }, close: async () => { await source.close(); db.close(); } };
    }
    if (config.source === 'redis') {
      if (!config.redis) throw new Error(`backends.${backend.name}.session.redis is required with source: redis`);
      const source = storeSessionSource('redis', createRedisSessionStore(config.redis, { logger: options.logger }), deps);
      return { binding: { backend, config, source, secrets }, close: () => source.close() };
    }
    if (!config.adapter) throw new Error(`backends.${backend.name}.session.adapter is required with source: adapter`);
    const source = createAdapterSessionSource({ ...config.adapter, cookie: config.cookie }, backend.url, { logger: options.logger, clock: options.clock, secureCookies: options.secureCookies });
    return { binding: { backend, config, source, secrets }, close: () => source.close() };
  }

  // A table is frozen for its generation: its binding is worked out once, not per request.
  const byTable = new WeakMap<RouteTable, SessionBinding | undefined>();
  /** The last bindingFor() kept the previous source after a failed open: try again next time. */
  let fellBack = false;

  function bindingFor(table: RouteTable): SessionBinding | undefined {
    const backend = choose(table);
    if (!backend?.session) return undefined;
    const key = JSON.stringify([backend.url.origin, backend.session]);
    const current = open.get(backend.name);
    if (current?.key === key) return current.binding;
    let opened: { binding: SessionBinding; close: () => Promise<void> };
    try {
      opened = openBinding(backend, backend.session);
    } catch (err) {
      if (!current) throw err;
      options.logger.error({ err: String(err), backend: backend.name }, 'session bridge: the new session settings could not be opened; the previous ones stay in force');
      fellBack = true;
      return current.binding;
    }
    open.set(backend.name, { key, ...opened });
    if (current) {
      options.logger.info({ backend: backend.name, source: backend.session.source }, 'session bridge: session settings changed; the new source is in use');
      const timer = setTimeout(() => {
        retiring.delete(timer);
        pending.push(current.close().catch(() => undefined));
      }, RETIRE_AFTER_MS);
      timer.unref();
      retiring.set(timer, current.close);
    }
    return opened.binding;
  }

  return {
    forTable(table) {
      if (byTable.has(table)) return byTable.get(table);
      fellBack = false;
      const binding = bindingFor(table);
      if (!fellBack) byTable.set(table, binding);
      return binding;
    },
    async close() {
      const closers = [...retiring.values(), ...[...open.values()].map((o) => o.close)];
      for (const timer of retiring.keys()) clearTimeout(timer);
      retiring.clear();
      await Promise.all([...pending, ...closers.map((close) => close().catch(() => undefined))]);
      open.clear();
    },
  };
}
