// `npm run soak -- --minutes 10`: every feature at once, for a while, watched for leaks.
// Starts the legacy app, the new backend and the proxy as processes (127.0.0.1, temp
// database), then sends steady traffic through the proxy: users and mcp flip between
// legacy and new every 30 s (PUT /__proxy/routes/:name), so the session bridge turns the
// admin's cookie into tokens half the time; auth and users (while on legacy) are shadowed
// to new and compared; WebSocket clients talk on /mcp/ws and reconnect across flips.
// Every interval it prints each process's RSS, V8 heap, event-loop delay p99 and open
// files. After the warm-up and at the end the load stops, the processes idle until their
// keep-alive connections have closed, then each collects its garbage on every thread the way
// V8 does when memory runs low (scripts/soak/probe.ts); those two idle samples are compared.
// Pass: 0 failed requests or messages, RSS grown by less than 10 MB per process, no more
// open files. Exits 1 otherwise, keeping the processes' logs in data/soak/logs/. A request
// fails without a complete 2xx answer within 10 s; one that went out on a keep-alive
// connection as the proxy closed it is resent once, as browsers do, and counted apart.
// Options: --minutes N (10), --rate R (HTTP requests/s, 60), --ws-clients N (4).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { preloadIntoProcesses, type RunningProcess } from './bench/processes.js';
import { startBenchStack, type BenchStack } from './bench/stack.js';
import { collectedSince, sampleProcess, type ProcessSample } from './soak/process-stats.js';
import { startTraffic, type TrafficCounts } from './soak/traffic.js';

const ROUTES = `version: 1
backends:
  legacy: { url: "\${LEGACY_URL}", auth: session }
  new: { url: "\${NEW_BACKEND_URL}", auth: jwt }
tokens: { alg: HS256 }   # see BenchStack.startNewBackend
default: legacy
routes:
  - name: auth
    paths: [/auth, /auth/**]
    target: legacy
    shadow: { to: new, percent: 100 }
  - name: users
    paths: [/users, /users/**]
    target: legacy
    shadow: { to: new, percent: 100 }
  - name: mcp
    paths: [/mcp, /mcp/**]
    target: legacy
`;
const FLIPPED = ['users', 'mcp'];
const FLIP_EVERY_MS = 30_000;
/** Longer than every idle keep-alive timeout in play (the proxy's 4 s, Node servers' 5 s). */
const IDLE_MS = 7_000;
const MAX_RSS_GROWTH_MB = 10;
const OUT = 'data/soak/latest.json';
const LOGS = 'data/soak/logs';

interface Watched {
  readonly name: string;
  readonly process: RunningProcess;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '60' }, 'ws-clients': { type: 'string', default: '4' } } });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  const wsClients = Number(values['ws-clients']);
  if (!(minutes > 0) || !(rate > 0) || !(wsClients >= 0)) throw new Error('--minutes and --rate must be positive numbers, --ws-clients a count');
  const totalMs = minutes * 60_000;
  // A short run (CI's minute) warms up for half of it: both backends have served and flipped.
  const warmupMs = Math.min(60_000, totalMs / 2);
  const reportEveryMs = Math.min(60_000, (totalMs - warmupMs) / 2);

  rmSync(LOGS, { recursive: true, force: true });
  const probeDir = mkdtempSync(join(tmpdir(), 'strangler-soak-'));
  preloadIntoProcesses([resolve('scripts/soak/probe.ts')], { SOAK_PROBE_DIR: probeDir });
  console.error(pc.bold(`soak: ${minutes} min at ${rate} req/s and ${wsClients} WebSocket clients, flips every ${FLIP_EVERY_MS / 1000} s, warm-up ${warmupMs / 1000} s, report every ${reportEveryMs / 1000} s`));
  const stack = await startBenchStack();
  let verdict = false;
  try {
    const next = await stack.startNewBackend();
    const proxy = await stack.startProxy('soak-proxy', ROUTES, { NEW_BACKEND_URL: next.url });
    const watched: Watched[] = [{ name: 'legacy', process: stack.legacy }, { name: 'new-backend', process: next }, { name: 'proxy', process: proxy }];
    verdict = await soak(stack, proxy, watched, { totalMs, warmupMs, reportEveryMs, rate, wsClients, probeDir });
  } finally {
    if (!verdict) keepLogs(stack.dir);
    await stack.stop();
    rmSync(probeDir, { recursive: true, force: true });
  }
  process.exit(verdict ? 0 : 1);
}

interface Plan {
  readonly totalMs: number;
  readonly warmupMs: number;
  readonly reportEveryMs: number;
  readonly rate: number;
  readonly wsClients: number;
  readonly probeDir: string;
}

async function soak(stack: BenchStack, proxy: RunningProcess, watched: readonly Watched[], plan: Plan): Promise<boolean> {
  const admin = { authorization: `Bearer ${stack.proxyAdminToken}`, 'content-type': 'application/json' };
  const trafficOptions = {
    base: proxy.url,
    cookie: stack.adminCookie,
    rate: plan.rate,
    paths: ['/users', '/auth/me', '/users/1', '/health', '/users?role=admin'],
    wsClients: plan.wsClients,
    wsEveryMs: 250,
    wsLifetimeMs: 20_000,
  };
  const runs: TrafficCounts[] = [];
  const flipFailures: string[] = [];
  let flips = 0;
  const started = Date.now();
  const clock = () => {
    const s = Math.round((Date.now() - started) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  const flip = () => {
    const target = flips % 2 === 0 ? 'new' : 'legacy';
    flips += 1;
    console.log(pc.dim(`[${clock()}] flip ${flips}: ${FLIPPED.join(', ')} -> ${target}`));
    for (const route of FLIPPED) {
      void fetch(`${proxy.url}/__proxy/routes/${route}`, { method: 'PUT', headers: admin, body: JSON.stringify({ target }) })
        .then(async (res) => (res.status === 200 ? undefined : `flip ${route} -> ${target}: ${res.status} ${await res.text()}`), (err: Error) => `flip ${route} -> ${target}: ${err.message}`)
        .then((failure) => failure && flipFailures.push(failure));
    }
  };
  // The first flip lands inside the warm-up, so both backends are warm before the baseline.
  let flipper: NodeJS.Timeout = setTimeout(() => {
    flip();
    flipper = setInterval(flip, FLIP_EVERY_MS);
  }, Math.min(FLIP_EVERY_MS, plan.warmupMs / 2));

  const sampleAll = (since: number) => watched.map((w) => ({ name: w.name, ...sampleProcess(w.process.pid as number, plan.probeDir, since) }));
  // The current run's counts are live until it stops and joins `runs`.
  const total = () => sum(runs.includes(traffic.counts) ? runs : [...runs, traffic.counts]);
  const idleSample = async (label: string) => {
    await sleep(IDLE_MS);
    // Collections first (probe.ts), so the heap and RSS compared are what stays referenced.
    const asked = Date.now();
    for (const w of watched) process.kill(w.process.pid as number, 'SIGUSR2');
    await waitForCollections(watched, plan.probeDir, asked);
    const samples = watched.map((w) => ({ name: w.name, ...sampleProcess(w.process.pid as number, plan.probeDir, asked - IDLE_MS, asked) }));
    console.log(pc.bold(`[${clock()}] ${label} (load stopped ${IDLE_MS / 1000} s ago; heap: every thread's, after a full collection)`));
    printSamples(samples);
    return samples;
  };

  await prime(proxy, trafficOptions.paths, stack.adminCookie);
  let traffic = startTraffic(trafficOptions);
  await sleep(plan.warmupMs);
  await traffic.stop();
  runs.push(traffic.counts);
  const baseline = await idleSample('after warm-up, idle');
  const intervals: Array<{ at: string; counts: TrafficCounts; samples: ReturnType<typeof sampleAll> }> = [];
  traffic = startTraffic(trafficOptions);
  const measuredMs = plan.totalMs - plan.warmupMs;
  for (let done = 0; done < measuredMs; done += plan.reportEveryMs) {
    const since = Date.now();
    await sleep(Math.min(plan.reportEveryMs, measuredMs - done));
    const counts = total();
    const samples = sampleAll(since);
    intervals.push({ at: clock(), counts, samples });
    console.log(pc.bold(`[${clock()}] ${countsLine(counts, flips)} (heap: the main thread's, garbage included)`));
    printSamples(samples);
  }
  await traffic.stop();
  runs.push(traffic.counts);
  clearTimeout(flipper);
  clearInterval(flipper);
  const final = await idleSample('end, idle');
  const counts = total();

  const shadowed = await shadowCounts(proxy, stack.proxyAdminToken);
  const problems: string[] = [];
  const failedCount = counts.failed + counts.wsFailed + flipFailures.length;
  if (failedCount > 0) problems.push(`${counts.failed} failed requests, ${counts.wsFailed} failed WebSocket messages or connections, ${flipFailures.length} failed flips: ${[...counts.failures, ...flipFailures].slice(0, 10).join('; ')}`);
  for (const [i, b] of baseline.entries()) {
    const f = final[i] as (typeof final)[number];
    if (f.rssMb - b.rssMb >= MAX_RSS_GROWTH_MB) problems.push(`${b.name}: RSS grew ${(f.rssMb - b.rssMb).toFixed(1)} MB (limit ${MAX_RSS_GROWTH_MB})`);
    if (f.fds > b.fds) problems.push(`${b.name}: ${f.fds - b.fds} more open files (${b.fds} -> ${f.fds})`);
  }
  if (flips < 2) problems.push(`only ${flips} flips: run longer than a minute`);
  if (shadowed.compared === 0) problems.push('the proxy compared no shadow copies');
  if (plan.wsClients > 0 && counts.wsMessages === 0) problems.push('no WebSocket message was answered');

  console.log(pc.bold(`[${clock()}] ${countsLine(counts, flips)}; shadow: ${shadowed.compared} compared, ${shadowed.dropped} dropped`));
  console.log(pc.bold('growth from the idle sample after warm-up to the idle sample at the end:'));
  for (const [i, b] of baseline.entries()) {
    const f = final[i] as (typeof final)[number];
    console.log(`  ${b.name.padEnd(12)} RSS ${signed(f.rssMb - b.rssMb)} MB, heap ${signed(f.heapMb - b.heapMb)} MB (committed ${signed(f.heapCommittedMb - b.heapCommittedMb)}), open files ${b.fds} -> ${f.fds}`);
  }
  mkdirSync('data/soak', { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, plan: { ...plan, probeDir: undefined }, flips, shadowed, counts, baseline, intervals, final, problems }, null, 2)}\n`);
  console.log(pc.dim(`written to ${OUT}`));
  if (problems.length) console.log(pc.red(`soak failed:\n  - ${problems.join('\n  - ')}`));
  else console.log(pc.green('soak passed'));
  return problems.length === 0;
}

/** The processes' logs of a failed run, kept where a CI job or a person can read them (the run's folder is removed). */
function keepLogs(dir: string): void {
  mkdirSync(LOGS, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) copyFileSync(join(dir, file), join(LOGS, file));
  console.log(pc.dim(`the processes' logs are kept in ${LOGS}/`));
}

/** Waits until every process's probe has written the line of the collection asked for at `asked`. */
async function waitForCollections(watched: readonly Watched[], probeDir: string, asked: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const waiting = watched.filter((w) => !collectedSince(w.process.pid as number, probeDir, asked));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`no garbage collection reported within 30 s by ${waiting.map((w) => w.name).join(', ')} (scripts/soak/probe.ts)`);
    await sleep(100);
  }
}

/**
 * Each path once, one at a time, before the steady load: a process's first requests load
 * code and open files lazily (the proxy's shadow thread starts on the first copy), which on a
 * busy machine takes seconds; the load's 10 s timeout is for a process that is up.
 */
async function prime(proxy: RunningProcess, paths: readonly string[], cookie: string): Promise<void> {
  for (const path of paths) {
    const res = await fetch(`${proxy.url}${path}`, { headers: { cookie, accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`priming GET ${path} through the proxy answered ${res.status}; see ${proxy.log}`);
  }
}

const COUNTERS = ['requests', 'failed', 'resent', 'wsMessages', 'wsFailed', 'wsConnections'] as const;

function sum(all: readonly TrafficCounts[]): TrafficCounts {
  const total: TrafficCounts = { requests: 0, failed: 0, resent: 0, wsMessages: 0, wsFailed: 0, wsConnections: 0, failures: all.flatMap((c) => c.failures) };
  for (const c of all) for (const key of COUNTERS) total[key] += c[key];
  return total;
}

function countsLine(c: TrafficCounts, flips: number): string {
  const failed = (n: number) => (n ? pc.red(`${n} failed`) : '0 failed');
  const resent = c.resent ? `, ${c.resent} resent on a new connection after a keep-alive reset` : '';
  return `${c.requests} requests (${failed(c.failed)}${resent}), ${c.wsMessages} WebSocket messages on ${c.wsConnections} connections (${failed(c.wsFailed)}), ${flips} flips`;
}

function printSamples(samples: ReadonlyArray<ProcessSample & { name: string }>): void {
  for (const s of samples) {
    console.log(`  ${s.name.padEnd(12)} RSS ${s.rssMb.toFixed(1).padStart(6)} MB  heap ${s.heapMb.toFixed(1).padStart(6)} MB (${s.heapCommittedMb.toFixed(1).padStart(5)} committed)  event-loop delay p99 ${s.eldP99Ms.toFixed(1).padStart(5)} ms  open files ${s.fds}`);
  }
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}

async function shadowCounts(proxy: RunningProcess, token: string): Promise<{ compared: number; dropped: number }> {
  const res = await fetch(`${proxy.url}/__proxy/diffs`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { compared: 0, dropped: 0 };
  const report = (await res.json()) as { routes: Array<{ shadowed: number; dropped: number }> };
  return { compared: report.routes.reduce((n, r) => n + r.shadowed, 0), dropped: report.routes.reduce((n, r) => n + r.dropped, 0) };
}

main().catch((err: unknown) => {
  console.error(pc.red(`soak failed to run: ${(err as Error).stack ?? String(err)}`));
  process.exit(1);
});
