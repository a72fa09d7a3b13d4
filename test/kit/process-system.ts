import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { fileURLToPath } from 'node:url';
import { freePorts } from './ports.js';
import { runTsx, type WatchedProcess } from './process.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait-for.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ComponentName = 'legacy' | 'new-backend' | 'mcp-server' | 'proxy';

interface Component {
  readonly name: ComponentName;
  readonly entry: string;
  readonly port: number;
  /** Answers 200 once the process takes requests. */
  readonly readyUrl: string;
  process?: WatchedProcess;
}

export interface ProcessSystem {
  /** The proxy: the one URL the browser sees. */
  readonly url: string;
  /** The copy of the repository's routes.yaml the proxy reads. */
  readonly routesFile: string;
  readonly dir: string;
  readonly admin: { readonly username: string; readonly password: string };
  /** Environment for `strangler` CLI runs: PROXY_URL, PROXY_ADMIN_TOKEN, backend URLs. */
  readonly cliEnv: NodeJS.ProcessEnv;
  /** `/__proxy/<path>` with the admin token. */
  adminApi(path: string): Promise<Response>;
  /** Which backend each route goes to, as the running proxy says. */
  routing(): Promise<Record<string, string>>;
  /** Stops one component (SIGTERM, as a deploy would) and starts it again on the same port. */
  restart(name: ComponentName): Promise<void>;
  /** The last lines each process printed, for a failure message. */
  logs(lines?: number): string;
  close(): Promise<void>;
}

/**
 * The whole system as a person runs it: the legacy app, the new backend, the MCP server
 * (the repository's mcp-policy.yaml, its per-user rate limit lifted: a script clicks faster
 * than a person) and the proxy, each its own `main.ts` process on a free
 * port, sharing one SQLite file in a temp folder, the proxy reading a copy of the repository's
 * routes.yaml. Secrets are generated for the run; the processes run in the temp folder, so no
 * .env or data/ of the checkout is read or written.
 *
 * @example
 * const system = await startProcessSystem();
 * after(() => system.close());
 * await page.goto(system.url);
 */
export async function startProcessSystem(): Promise<ProcessSystem> {
  const dir = tempDir('strangler-e2e-');
  const [legacyPort, newPort, mcpPort, proxyPort] = (await freePorts(4)) as [number, number, number, number];
  const secret = () => randomBytes(32).toString('base64url');
  const admin = { username: 'admin', password: `admin-${secret().slice(0, 16)}` };
  const routesFile = dir.file('routes.yaml');
  copyFileSync(`${ROOT}routes.yaml`, routesFile);
  mkdirSync(dir.file('workspace'));
  const policyFile = dir.file('mcp-policy.yaml');
  writeFileSync(policyFile, withoutRateLimit(readFileSync(`${ROOT}mcp-policy.yaml`, 'utf8')));
  const urls = {
    LEGACY_URL: `http://127.0.0.1:${legacyPort}`,
    NEW_BACKEND_URL: `http://127.0.0.1:${newPort}`,
    MCP_URL: `http://127.0.0.1:${mcpPort}/mcp`,
    PROXY_URL: `http://127.0.0.1:${proxyPort}`,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    NO_COLOR: '1',
    SESSION_SECRET: secret(),
    JWT_SECRET: secret(),
    MCP_TOKEN: secret(),
    PROXY_ADMIN_TOKEN: secret(),
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
    ADMIN_EMAIL: 'admin@e2e.test',
    DATABASE_PATH: dir.file('app.db'),
    DIFFS_PATH: dir.file('diffs.db'),
    ROUTES_FILE: routesFile,
    MCP_POLICY_FILE: policyFile,
    MCP_WORKSPACE: dir.file('workspace'),
    MCP_AUDIT_PATH: dir.file('mcp-audit.db'),
    // The journey runs more commands than a person would; on a fast run, past the default 10 in 20 s.
    MCP_COMMAND_RATE: '1000/20s',
    LEGACY_PORT: String(legacyPort),
    NEW_BACKEND_PORT: String(newPort),
    MCP_PORT: String(mcpPort),
    PROXY_PORT: String(proxyPort),
    ...urls,
  };
  const components: Record<ComponentName, Component> = {
    legacy: { name: 'legacy', entry: 'legacy-adapter/src/main.ts', port: legacyPort, readyUrl: `${urls.LEGACY_URL}/health` },
    'new-backend': { name: 'new-backend', entry: 'new-backend/src/main.ts', port: newPort, readyUrl: `${urls.NEW_BACKEND_URL}/health` },
    // Any HTTP answer means it listens (GET /mcp without a token is a 401 or 405).
    'mcp-server': { name: 'mcp-server', entry: 'new-backend/src/mcp-server/main.ts', port: mcpPort, readyUrl: urls.MCP_URL },
    proxy: { name: 'proxy', entry: 'proxy/src/main.ts', port: proxyPort, readyUrl: `${urls.PROXY_URL}/__proxy/health` },
  };

  async function start(component: Component): Promise<void> {
    const child = runTsx(`${ROOT}${component.entry}`, { cwd: dir.path, env });
    component.process = child;
    await waitReady(component, child);
  }

  async function stop(component: Component): Promise<void> {
    const child = component.process;
    if (!child || child.child.exitCode !== null || child.child.signalCode !== null) return;
    child.child.kill('SIGTERM');
    try {
      await child.exited(15_000);
    } catch {
      child.kill();
      await child.exited(5_000).catch(() => undefined);
    }
  }

  const order: Component[] = [components.legacy, components['new-backend'], components['mcp-server'], components.proxy];
  const close = async () => {
    for (const component of [...order].reverse()) await stop(component);
    dir.cleanup();
  };
  const logs = (lines = 40) =>
    order
      .filter((c) => c.process)
      .map((c) => `--- ${c.name} ---\n${(c.process as WatchedProcess).output().split('\n').slice(-lines).join('\n')}`)
      .join('\n');

  try {
    // The legacy app creates the tables the new backend's baseline adopts: it goes first.
    await start(components.legacy);
    await Promise.all([start(components['new-backend']), start(components['mcp-server'])]);
    await start(components.proxy);
  } catch (err) {
    const output = logs();
    await close();
    throw new Error(`${(err as Error).message}\n${output}`);
  }

  const adminApi = (path: string) => fetch(`${urls.PROXY_URL}/__proxy/${path}`, { headers: { authorization: `Bearer ${env.PROXY_ADMIN_TOKEN}` } });
  return {
    url: urls.PROXY_URL,
    routesFile,
    dir: dir.path,
    admin,
    cliEnv: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', PROXY_URL: urls.PROXY_URL, PROXY_ADMIN_TOKEN: env.PROXY_ADMIN_TOKEN, LEGACY_URL: urls.LEGACY_URL, NEW_BACKEND_URL: urls.NEW_BACKEND_URL },
    adminApi,
    async routing() {
      const res = await adminApi('routes');
      const body = (await res.json()) as { routes: Array<{ name: string; target: string }> };
      return Object.fromEntries(body.routes.map((r) => [r.name, r.target]));
    },
    async restart(name) {
      await stop(components[name]);
      await start(components[name]);
    },
    logs,
    close,
  };
}

/** Polls the component's URL until it answers, or fails with its output if it exits first. */
async function waitReady(component: Component, child: WatchedProcess): Promise<void> {
  const state = await waitFor(async () => {
    if (child.child.exitCode !== null || child.child.signalCode !== null) return 'exited';
    const res = await fetch(component.readyUrl, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return (component.name === 'mcp-server' || res.ok) && 'ready';
  }, `${component.name} to answer ${component.readyUrl}`, 120_000).catch((error: Error) => {
    throw new Error(`${error.message}:\n${child.output()}`);
  });
  if (state === 'exited') throw new Error(`${component.name} exited before it was ready:\n${child.output()}`);
}

/** The policy text with `limits.calls_per_minute` and `limits.burst` raised; everything else as written. */
function withoutRateLimit(text: string): string {
  const doc = parseDocument(text);
  doc.setIn(['limits', 'calls_per_minute'], 100_000);
  doc.setIn(['limits', 'burst'], 100_000);
  return doc.toString();
}
