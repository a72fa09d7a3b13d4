import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, createTokenService } from '../../lib/tokens.js';
import { startNginx } from './nginx.js';
import { freePort, startMain, type RunningProcess } from './processes.js';

/** What every bench section can build on: the legacy app with users, and proxies in front of it. */
export interface BenchStack {
  readonly legacyUrl: string;
  /** The legacy process, e.g. to report its CPU per request. */
  readonly legacy: RunningProcess;
  /** `Cookie` header of a logged-in admin (GET /users needs one). */
  readonly adminCookie: string;
  /** The proxies' PROXY_ADMIN_TOKEN, for `/__proxy/` (e.g. the diffs a shadowed run recorded). */
  readonly proxyAdminToken: string;
  /** Starts the real proxy process (proxy/src/main.ts) on this routes.yaml text; stopped with the stack. */
  startProxy(name: string, routesYaml: string, extraEnv?: Record<string, string>): Promise<RunningProcess>;
  /** Debian's nginx in front of `upstream` (nginx.ts), the reference for what a hop costs; stopped with the stack. */
  /** nginx in front of `upstream`, or answering `{ answer }` itself (a backend that costs next to nothing). */
  startNginx(name: string, upstream: string | { readonly answer: string }): Promise<RunningProcess>;
  /**
   * The new backend as its own process on the same database (migrated on start); stopped with
   * the stack. It verifies bridged tokens signed HS256 with the run's JWT_SECRET, so routes
   * that bridge to it say `tokens: { alg: HS256 }`: with the default (EdDSA) it would fetch
   * one proxy's JWKS, and a run starts several proxies, each with its own keys.
   */
  startNewBackend(): Promise<RunningProcess>;
  /** An `Authorization` value for the admin that the new backend accepts (minted with the run's JWT_SECRET). */
  adminBearer(): Promise<string>;
  /** Where the processes' logs are. */
  readonly dir: string;
  stop(): Promise<void>;
}

const USERS = 5;

/**
 * The real legacy app as its own process on a fresh database in a temp folder, with a few
 * users created through its API, and an admin session. Secrets are generated for the run.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-bench-'));
  const secret = () => randomBytes(32).toString('base64url');
  const adminPassword = secret();
  const env = {
    NODE_ENV: 'production',
    SESSION_SECRET: secret(),
    JWT_SECRET: secret(),
    MCP_TOKEN: secret(),
    PROXY_ADMIN_TOKEN: secret(),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    ADMIN_EMAIL: 'admin@bench.test',
    DATABASE_PATH: join(dir, 'app.db'),
    DIFFS_PATH: join(dir, 'diffs.db'),
  };
  const processes: RunningProcess[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // warn: the backend's own per-request log is the same in both runs and not what is measured.
    const legacyPort = await freePort();
    const legacy = await startMain('legacy', 'legacy-adapter/src/main.ts', legacyPort, '/health', { ...env, LEGACY_PORT: String(legacyPort), LOG_LEVEL: 'warn' }, join(dir, 'legacy.log'));
    processes.push(legacy);
    const adminCookie = await login(legacy.url, 'admin', adminPassword);
    for (let i = 1; i <= USERS; i++) {
      const res = await fetch(`${legacy.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: adminCookie },
        body: JSON.stringify({ username: `bench_user_${i}`, name: `Bench User ${i}`, email: `bench${i}@bench.test`, password: `password-${i}-${secret()}` }),
      });
      if (res.status !== 201) throw new Error(`creating bench_user_${i} failed: ${res.status} ${await res.text()}`);
    }
    return {
      legacyUrl: legacy.url,
      legacy,
      adminCookie,
      proxyAdminToken: env.PROXY_ADMIN_TOKEN,
      dir,
      async startProxy(name, routesYaml, extraEnv = {}) {
        const file = join(dir, `${name}.routes.yaml`);
        writeFileSync(file, routesYaml);
        // info: the proxy's one log line per request is part of its real cost, so it stays on.
        const port = await freePort();
        const proxy = await startMain(name, 'proxy/src/main.ts', port, '/__proxy/health', { ...env, ROUTES_FILE: file, PROXY_PORT: String(port), LOG_LEVEL: 'info', LEGACY_URL: legacy.url, ...extraEnv }, join(dir, `${name}.log`));
        processes.push(proxy);
        return proxy;
      },
      async startNginx(name, upstream) {
        const nginx = await startNginx(name, upstream, dir);
        processes.push(nginx);
        return nginx;
      },
      async startNewBackend() {
        const port = await freePort();
        const next = await startMain('new-backend', 'new-backend/src/main.ts', port, '/health', { ...env, NEW_BACKEND_PORT: String(port), LOG_LEVEL: 'warn' }, join(dir, 'new-backend.log'));
        processes.push(next);
        return next;
      },
      async adminBearer() {
        const me = await fetch(`${legacy.url}/auth/me`, { headers: { cookie: adminCookie } });
        const { id } = (await me.json()) as { id: number };
        const { token } = await createTokenService([env.JWT_SECRET]).mint({ sub: id, role: 'admin', audience: AUDIENCE.newBackend });
        return `Bearer ${token}`;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='));
  if (!cookie) throw new Error('admin login set no connect.sid cookie');
  return cookie.split(';')[0] as string;
}
