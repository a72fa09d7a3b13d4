import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { startServer } from '../server.js';
import { tempDir } from '../temp.js';
import { createProxy, type Proxy, type ProxyDeps, type ProxyExtension, type ProxyOptions } from '../../../proxy/src/index.js';
import { watchRoutesFile, type RoutesFileWatcher } from '../../../proxy/src/watch-routes-file.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

export interface RunningProxy {
  readonly proxy: Proxy;
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** The routes.yaml the proxy reads (in a fresh temp folder). */
  readonly file: string;
  readonly dir: string;
  /** Lines the proxy logged, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real proxy on a free port in front of real backends, reading a routes.yaml written to a
 * temp folder. `watch: true` also follows the file the way main.ts does.
 */
export async function startProxy(
  yaml: string,
  options: { watch?: boolean; extensions?: ProxyExtension[]; file?: string; dir?: string; proxyOptions?: Partial<ProxyOptions>; deps?: Partial<Omit<ProxyDeps, 'logger'>> } = {},
): Promise<RunningProxy> {
  const temp = options.dir ? undefined : tempDir('strangler-proxy-');
  const dir = options.dir ?? (temp as { path: string }).path;
  const file = options.file ?? `${dir}/routes.yaml`;
  if (!options.file) writeFileSync(file, yaml);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const created = createProxy(
    { routesFile: file, adminToken: ADMIN_TOKEN, exposeGeneration: true, ...options.proxyOptions },
    { ...options.deps, logger, extensions: options.extensions ?? [] },
  );
  if (!created.ok) throw new Error(`test routes.yaml is invalid:\n${created.errors.join('\n')}`);
  const { proxy } = created;
  const server = createServer(proxy.handler);
  server.on('upgrade', proxy.upgrade);
  const running = await startServer(server);
  let watcher: RoutesFileWatcher | undefined;
  if (options.watch) watcher = watchRoutesFile(file, () => proxy.reload(), { logger, debounceMs: 100 });
  return {
    proxy,
    server,
    url: running.url,
    port: running.port,
    file,
    dir,
    logs,
    admin: (path, init = {}) =>
      fetch(`${running.url}/__proxy/${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) } }),
    async close() {
      watcher?.close();
      await running.close();
      await proxy.close();
      temp?.cleanup();
    },
  };
}
