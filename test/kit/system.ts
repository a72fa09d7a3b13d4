import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { renameSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { createProxy, type Proxy, type ProxyExtension } from '../../proxy/src/index.js';
import { signSessionId } from '../../lib/legacy-session/session-cookie.js';
import { lazyRemoteJwks } from '../../lib/access-verifier.js';
import { openSessionBridge, type OpenSessionBridgeOptions, type SessionBridge } from '../../proxy/src/bridge/index.js';
import { watchRoutesFile, type RoutesFileWatcher } from '../../proxy/src/watch-routes-file.js';
import { ApiClient } from './client.js';
import { startLegacy, TEST_ADMIN, TEST_SESSION_SECRETS, type RunningLegacy, type StartLegacyOptions } from './legacy.js';
import { startNewBackend, TEST_JWT_SECRETS, type RunningNewBackend, type StartNewBackendOptions } from './new-backend.js';
import { startServer } from './server.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait-for.js';

/** Which backend answers each of the repository's routes (`default` stays legacy). */
export interface Routing {
  readonly auth: 'legacy' | 'new';
  readonly users: 'legacy' | 'new';
  readonly mcp: 'legacy' | 'new';
}

export interface StartSystemOptions {
  /** Default: every route on legacy. */
  readonly routing?: Partial<Routing>;
  /** Secrets the legacy app and the bridge share (the first signs). */
  readonly sessionSecrets?: readonly string[];
  readonly jwtSecrets?: readonly string[];
  /** Bridge settings (token TTL, touch interval, Secure cookies…); its secrets come from above. */
  readonly bridge?: Partial<Omit<OpenSessionBridgeOptions, 'sessionSecrets' | 'jwtSecrets' | 'databasePath' | 'logger'>>;
  /** The bridge's clock (token lifetimes, touches); default Date.now. */
  readonly clock?: () => number;
  /** More backends in routes.yaml (e.g. an echo server declared `auth: jwt`), routed by nothing unless you say so. */
  readonly extraBackends?: Readonly<Record<string, { readonly url: string; readonly auth: 'session' | 'jwt' }>>;
  /** Extra routes, placed before the standard three (first match wins). */
  readonly extraRoutes?: readonly { readonly name: string; readonly paths: readonly string[]; readonly target: string; /** YAML lines under the route, e.g. a shadow block. */ readonly lines?: readonly string[] }[];
  /** YAML lines added under a standard route, e.g. `{ users: ['shadow: { to: new }'] }`. */
  readonly routeLines?: Partial<Record<keyof Routing, readonly string[]>>;
  /** Extensions around the bridge, e.g. shadow traffic, which goes before it: `(bridge) => [shadow, bridge]`. */
  readonly extensions?: (bridge: SessionBridge) => ProxyExtension[];
  /** Follow routes.yaml changes as main.ts does (default true); otherwise `route()` reloads by hand. */
  readonly watch?: boolean;
  readonly legacy?: Pick<StartLegacyOptions, 'mcp' | 'secureCookies'>;
  readonly newBackend?: Pick<StartNewBackendOptions, 'mcp' | 'clock'>;
}

export interface RunningSystem {
  /** The proxy: the one URL the frontend sees. */
  readonly url: string;
  readonly legacy: RunningLegacy;
  readonly newBackend: RunningNewBackend;
  readonly proxy: Proxy;
  readonly bridge: SessionBridge;
  /** The shared SQLite file of every component. */
  readonly dbPath: string;
  readonly dir: string;
  readonly routesFile: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly sessionSecrets: readonly string[];
  readonly jwtSecrets: readonly string[];
  /** What the proxy logged (JSON lines, parsed), for assertions on warnings. */
  readonly logs: Array<Record<string, unknown>>;
  /** A browser (cookie jar) pointed at the proxy. */
  client(): ApiClient;
  routing(): Routing;
  /** Rewrites routes.yaml (atomically) and resolves once the proxy routes by it. */
  route(changes: Partial<Routing>): Promise<void>;
  /** `/__proxy/<path>` with the admin token. */
  adminApi(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const SYSTEM_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

/**
 * The whole system on port 0: the real legacy app and the real new backend on ONE SQLite
 * file in a temp folder, and the real proxy in front with the session bridge (its own
 * handle on that file, as in production), reading a routes.yaml you can rewrite.
 *
 * @example
 * const system = await startSystem({ routing: { users: 'new' } });
 * after(() => system.close());
 * const browser = system.client();
 * await browser.login(system.admin.username, system.admin.password); // legacy
 * await browser.get('/users');                                       // new, bridged
 * await system.route({ auth: 'new' });
 */
export async function startSystem(options: StartSystemOptions = {}): Promise<RunningSystem> {
  const dir = tempDir('strangler-system-');
  const dbPath = dir.file('app.db');
  const routesFile = dir.file('routes.yaml');
  const sessionSecrets = options.sessionSecrets ?? TEST_SESSION_SECRETS;
  const jwtSecrets = options.jwtSecrets ?? TEST_JWT_SECRETS;
  let routing: Routing = { auth: 'legacy', users: 'legacy', mcp: 'legacy', ...options.routing };
  const cleanups: Array<() => unknown> = [() => dir.cleanup()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const legacy = await startLegacy({ ...options.legacy, dbPath, sessionSecrets, admin: TEST_ADMIN });
    cleanups.push(() => legacy.close());
    // The new backend checks bridged tokens against the proxy's JWKS, whose port is known later.
    let proxyUrl = '';
    const bridged = { audience: 'strangler:new', keys: lazyRemoteJwks(() => `${proxyUrl}/__proxy/jwks.json`) };
    const newBackend = await startNewBackend({ bridged, ...options.newBackend, dbPath, jwtSecrets, admin: TEST_ADMIN });
    cleanups.push(() => newBackend.close());

    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
    const bridge = await openSessionBridge({
      tokens: { alg: 'EdDSA', ttlSec: 300 }, signingKeysFile: dir.file('signing-keys.json'), production: false,
      ...options.bridge, databasePath: dbPath, sessionSecrets, jwtSecrets, logger, ...(options.clock ? { clock: options.clock } : {}),
    });
    const yaml = (r: Routing) => systemRoutesYaml(r, { legacy: legacy.url, new: newBackend.url }, options);
    writeFileSync(routesFile, yaml(routing));
    const created = createProxy(
      { routesFile, adminToken: SYSTEM_ADMIN_TOKEN, exposeGeneration: true },
      { logger, extensions: options.extensions?.(bridge) ?? [bridge], identify: bridge.identify },
    );
    if (!created.ok) {
      await bridge.close?.();
      throw new Error(`system routes.yaml is invalid:\n${created.errors.join('\n')}`);
    }
    const { proxy } = created;
    bridge.registerMetrics(proxy.metrics.registry);
    cleanups.push(() => proxy.close());
    const server = createServer(proxy.handler);
    server.on('upgrade', proxy.upgrade);
    // Upgraded sockets leave the server's HTTP bookkeeping: they are ended by hand, or close() waits for them.
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const running = await startServer(server);
    proxyUrl = running.url;
    // Placed before the proxy's own cleanup, so it runs after it: the proxy (and its tunnels
    // to the backends) first, then its server.
    cleanups.splice(cleanups.length - 1, 0, async () => {
      for (const socket of sockets) socket.destroy();
      await running.close();
    });
    let watcher: RoutesFileWatcher | undefined;
    if (options.watch ?? true) {
      watcher = watchRoutesFile(routesFile, () => proxy.reload(), { logger, debounceMs: 50 });
      cleanups.push(() => watcher?.close());
    }

    return {
      url: running.url,
      legacy,
      newBackend,
      proxy,
      bridge,
      dbPath,
      dir: dir.path,
      routesFile,
      admin: { username: TEST_ADMIN.username, password: TEST_ADMIN.password },
      sessionSecrets,
      jwtSecrets,
      logs,
      client: () => new ApiClient(running.url),
      routing: () => routing,
      async route(changes) {
        routing = { ...routing, ...changes };
        const temp = `${routesFile}.${process.pid}.tmp`;
        writeFileSync(temp, yaml(routing));
        renameSync(temp, routesFile);
        if (!watcher) proxy.reload();
        await waitFor(() => routedAs(proxy, routing), `the proxy to route ${JSON.stringify(routing)}`);
      },
      adminApi: (path, init = {}) =>
        fetch(`${running.url}/__proxy/${path}`, { ...init, headers: { authorization: `Bearer ${SYSTEM_ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) } }),
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The routes.yaml of a system: the repository's three routes and backends, in the file's own layout. */
export function systemRoutesYaml(routing: Routing, urls: { legacy: string; new: string }, options: Pick<StartSystemOptions, 'extraBackends' | 'extraRoutes' | 'routeLines'> = {}): string {
  const lines = ['# routes.yaml written by test/kit/system.ts', 'version: 1', 'backends:'];
  lines.push(`  legacy: { url: "${urls.legacy}", auth: session }`, `  new: { url: "${urls.new}", auth: jwt }`);
  for (const [name, b] of Object.entries(options.extraBackends ?? {})) lines.push(`  ${name}: { url: "${b.url}", auth: ${b.auth} }`);
  lines.push('default: legacy', 'routes:');
  const routes = [
    ...(options.extraRoutes ?? []),
    { name: 'auth', paths: ['/auth', '/auth/**'], target: routing.auth },
    { name: 'users', paths: ['/users', '/users/**'], target: routing.users },
    { name: 'mcp', paths: ['/mcp', '/mcp/**'], target: routing.mcp },
  ];
  for (const r of routes) {
    lines.push(`  - name: ${r.name}`, `    paths: [${r.paths.join(', ')}]`, `    target: ${r.target}`);
    for (const line of [...('lines' in r ? r.lines ?? [] : []), ...(options.routeLines?.[r.name as keyof Routing] ?? [])]) lines.push(`    ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

function routedAs(proxy: Proxy, routing: Routing): boolean {
  const targets = new Map(proxy.table().routes.map((r) => [r.name, r.target]));
  return (Object.keys(routing) as Array<keyof Routing>).every((name) => targets.get(name) === routing[name]);
}

/** The session id inside a browser's `connect.sid` cookie (signature not checked), or undefined. */
export async function sessionIdOf(client: ApiClient): Promise<string | undefined> {
  const raw = await client.cookie('connect.sid');
  if (!raw) return undefined;
  const value = decodeURIComponent(raw);
  const dot = value.lastIndexOf('.');
  return value.startsWith('s:') && dot > 2 ? value.slice(2, dot) : undefined;
}

/** A `Cookie` header carrying `sid` signed as express-session would with `secrets[0]`. */
export function sessionCookieHeader(sid: string, secrets: readonly string[]): string {
  return `connect.sid=${encodeURIComponent(signSessionId(sid, secrets))}`;
}
