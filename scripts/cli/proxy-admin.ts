import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { diffRouting, type RouteTableJson } from '../../proxy/src/config/index.js';
import type { CliIo } from './io.js';

export type RunningTable =
  | { state: 'ok'; url: string; table: RouteTableJson }
  | { state: 'down'; url: string; reason: string }
  | { state: 'refused'; url: string; reason: string };

/** Where the running proxy is: PROXY_URL, else 127.0.0.1 on PROXY_PORT (default 5634). */
export function proxyUrl(env: NodeJS.ProcessEnv): string {
  return (env.PROXY_URL || `http://127.0.0.1:${env.PROXY_PORT || 5634}`).replace(/\/+$/, '');
}

/**
 * The admin token as the proxy resolves it: the environment (and .env, loaded by the
 * dispatcher), else the development secrets file the processes share. Never generated here:
 * a token the proxy does not know would only be refused.
 */
export function adminToken(io: CliIo): string | undefined {
  if (io.env.PROXY_ADMIN_TOKEN) return io.env.PROXY_ADMIN_TOKEN;
  const devFile = join(io.cwd, 'data', 'dev-secrets.env');
  if (!existsSync(devFile)) return undefined;
  try {
    return parseEnv(readFileSync(devFile, 'utf8')).PROXY_ADMIN_TOKEN || undefined;
  } catch {
    return undefined;
  }
}

const tableJson = z.object({
  source: z.string(),
  loadedAt: z.string(),
  version: z.literal(1),
  default: z.string(),
  backends: z.array(z.object({ name: z.string(), url: z.string(), auth: z.enum(['session', 'jwt']), timeout_ms: z.number() })),
  routes: z.array(z.object({
    name: z.string(),
    paths: z.array(z.string()),
    methods: z.array(z.string()).nullable(),
    target: z.string(),
    canary: z.object({ to: z.string(), percent: z.number() }).nullable(),
    shadow: z.object({ to: z.string() }).passthrough().nullable(),
  })),
  lastError: z.object({ at: z.string(), errors: z.array(z.string()) }).optional(),
});

/** GET /__proxy/routes. A proxy that is not running is a state to report, not an error. */
export async function fetchRunningTable(io: CliIo, timeoutMs = 1500): Promise<RunningTable> {
  const url = proxyUrl(io.env);
  const token = adminToken(io);
  let res: Response;
  try {
    res = await fetch(`${url}/__proxy/routes`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { state: 'down', url, reason: cause === 'ECONNREFUSED' ? 'nothing is listening' : cause === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(cause) };
  }
  const body = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) {
    return { state: 'refused', url, reason: token
      ? 'it refused the admin token: set PROXY_ADMIN_TOKEN to the value the proxy was started with'
      : 'it needs the admin token: set PROXY_ADMIN_TOKEN (in development it is in data/dev-secrets.env, read from the folder you run this in)' };
  }
  if (!res.ok) return { state: 'refused', url, reason: `GET /__proxy/routes answered ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { state: 'refused', url, reason: 'GET /__proxy/routes did not answer JSON: is PROXY_URL pointing at the proxy?' };
  }
  const checked = tableJson.safeParse(parsed);
  if (!checked.success) return { state: 'refused', url, reason: 'GET /__proxy/routes answered an unexpected shape: is PROXY_URL pointing at a Strangler proxy of this version?' };
  return { state: 'ok', url, table: checked.data as RouteTableJson };
}

/** True when the proxy reads a different file than `file` (both compared after resolving links). */
export function servesOtherFile(running: RouteTableJson, file: string): boolean {
  if (!isAbsolute(running.source)) return false;
  const real = (p: string) => { try { return realpathSync(p); } catch { return p; } };
  return real(running.source) !== real(file);
}

export type LoadConfirmation =
  | { state: 'loaded'; url: string; afterMs: number }
  | { state: 'down'; url: string; reason: string }
  | { state: 'refused'; url: string; reason: string }
  | { state: 'other-file'; url: string; source: string }
  | { state: 'rejected'; url: string; errors: string[] }
  | { state: 'pending'; url: string; differences: string[] };

/**
 * Polls the running proxy until its routing equals `expected` (the file just written),
 * it reports a refused reload, or `timeoutMs` passes. The proxy reloads within a second.
 */
export async function confirmLoaded(io: CliIo, file: string, expected: RouteTableJson, since: Date, timeoutMs = 2000): Promise<LoadConfirmation> {
  const started = Date.now();
  for (;;) {
    const running = await fetchRunningTable(io, 1000);
    if (running.state !== 'ok') return running;
    const { table, url } = running;
    if (servesOtherFile(table, file)) return { state: 'other-file', url, source: table.source };
    // Backend URLs may differ with the proxy's own environment; routing is what was changed.
    const differences = diffRouting(table, { ...expected, backends: table.backends });
    if (differences.length === 0) return { state: 'loaded', url, afterMs: Date.now() - started };
    if (table.lastError && Date.parse(table.lastError.at) >= since.getTime()) return { state: 'rejected', url, errors: table.lastError.errors };
    if (Date.now() - started >= timeoutMs) return { state: 'pending', url, differences };
    await new Promise((r) => setTimeout(r, 100));
  }
}
