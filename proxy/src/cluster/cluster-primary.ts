import cluster, { type Worker } from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { StartupError } from '../../../lib/process-lifecycle.js';
import type { ClusterStatus } from '../admin/admin-app.js';
import type { ClusterControl, Proxy } from '../create-proxy.js';
import { buildProxy, diffsPathOf, followRoutesFile, gracefulStop, logListening, openExtensions, readRoutesAtStart, type ProcessSetup } from '../process-setup.js';
import { startShadowThread, WriteLog } from '../shadow/index.js';
import type { Hello } from './cluster-worker.js';
import { createIpcChannel, type IpcChannel, type IpcPeer } from './ipc-channel.js';
import { recordService, type ActiveRecordings } from './remote-record.js';
import { shadowService } from './remote-shadow.js';
import { applyWindowDeltas, type WindowDelta } from './window-delta.js';
import { trustWorkerClientAddress } from './worker-proxy.js';

export interface ClusterSetup extends ProcessSetup {
  readonly workers: number;
}

interface Member {
  readonly worker: Worker;
  readonly channel: IpcChannel;
  readonly startedAt: number;
  /** The newest generation it confirmed. */
  generation: number;
  ready: boolean;
  /** Ends its writes still open in the cluster's write log. */
  readonly gone: () => void;
}

/** A worker's figures for `/__proxy/metrics`, or nothing if it does not answer in time. */
const METRICS_TIMEOUT_MS = 3000;
/** A worker that has not confirmed a new table within this is stopped (a hung worker must not hold a flip, nor route by the old table). */
const CONFIRM_TIMEOUT_MS = 10_000;
/** Workers that exit this many times within RESTART_WINDOW_MS are not started again: the proxy stops. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** Workers get this long to finish in-flight requests on stop (their own grace is 5 s). */
const STOP_WORKERS_MS = 8000;

/**
 * The primary of a cluster of proxies (PROXY_WORKERS=N): N worker processes share the
 * port and route; the primary routes nothing and owns everything there must be one of:
 * the routes file (watch, SIGHUP, admin edits, rollouts, history), the admin API and
 * console (workers pass `/__proxy/` to it over a private socket), the shadow thread that
 * writes diffs.db, the recordings, and the figures (workers report their requests every
 * second; `/__proxy/metrics` asks each worker and aggregates with prom-client's
 * AggregatorRegistry).
 *
 * A table reaches the workers as the text the primary parsed, with its generation; an
 * admin PUT (and `strangler flip`, which uses it) is answered only once every worker has
 * confirmed it, so no request sent after the answer is routed by the old table. A worker
 * that exits is started again (it asks for the table in force before it listens).
 */
export async function runClusterPrimary(setup: ClusterSetup): Promise<void> {
  const { env, logger } = setup;
  cluster.setupPrimary({ serialization: 'advanced' });
  // mkdtemp makes the folder 0700: only this user reaches the admin socket.
  const socketDir = mkdtempSync(join(tmpdir(), 'strangler-proxy-'));
  const adminSocket = join(socketDir, 'admin.sock');
  const members = new Map<number, Member>();
  let recordings: ActiveRecordings = [];
  let stopping = false;
  const exits: number[] = [];
  // Start-up: resolved with the port once every worker listens; a worker that exits first fails it.
  let started = false;
  let startup!: { resolve: (port: number) => void; reject: (err: Error) => void };
  const allListening = new Promise<number>((resolve, reject) => (startup = { resolve, reject }));

  // One shadow thread and one write log for the whole cluster: every worker's copies and writes come here.
  const thread = startShadowThread({ diffsPath: diffsPathOf(env), maxSockets: 64, nice: 10 });
  const writes = new WriteLog();
  const { firstRead, tokens } = readRoutesAtStart(setup);
  const extensions = await openExtensions(setup, tokens, {
    thread,
    writes,
    onActive: (active) => {
      recordings = active;
      for (const m of members.values()) m.channel.notify('record.active', active);
    },
  });
  const recordHandlers = recordService(extensions.record);

  const control: ClusterControl = {
    async publish(generation, text) {
      const confirmations = [...members.values()].map(async (m) => {
        try {
          const confirmed = await withTimeout(m.channel.call<number>('table', { generation, text }), CONFIRM_TIMEOUT_MS);
          m.generation = Math.max(m.generation, confirmed);
        } catch (err) {
          if (!members.has(m.worker.id)) return; // it exited: its successor asks for the table in force
          // A worker that cannot (or does not) route with the table in force must not route at
          // all: once it is gone, every request is routed by the new table, so the flip stands.
          logger.error({ err, worker: m.worker.id }, `cluster: worker ${m.worker.id} did not take generation ${generation} (${(err as Error).message}); stopping it, another starts with the table in force`);
          m.worker.process.kill('SIGKILL');
        }
      });
      await Promise.all(confirmations);
    },
    async metrics(own) {
      const answers = await Promise.all([...members.values()].filter((m) => m.ready).map((m) => withTimeout(m.channel.call<MetricObjectWithValues<MetricValue<string>>[]>('metrics'), METRICS_TIMEOUT_MS).catch(() => undefined)));
      const mine = await own.getMetricsAsJSON();
      return AggregatorRegistry.aggregate([mine, ...answers.filter((a) => a !== undefined)]).metrics();
    },
    status: (): ClusterStatus => ({
      size: setup.workers,
      workers: [...members.values()].map((m) => ({ id: m.worker.id, pid: m.worker.process.pid, generation: m.generation, ready: m.ready })),
    }),
  };
  const proxy: Proxy = buildProxy(setup, extensions, firstRead, control);

  const fork = (): Member => {
    const worker = cluster.fork({ ...env, STRANGLER_PROXY_WORKER: '1', STRANGLER_ADMIN_SOCKET: adminSocket });
    const shadow = shadowService(thread, writes);
    const member: Member = {
      worker,
      startedAt: Date.now(),
      generation: 0,
      ready: false,
      gone: shadow.gone,
      channel: createIpcChannel(worker as unknown as IpcPeer, {
        hello: (): Hello => {
          const published = proxy.published();
          return { ...published, recordings };
        },
        ready: ({ port, generation }: { port: number; generation: number }) => {
          member.generation = Math.max(member.generation, generation);
          member.ready = true;
          if (!started && [...members.values()].filter((m) => m.ready).length >= setup.workers) startup.resolve(port);
        },
        windows: (deltas: WindowDelta[]) => applyWindowDeltas(proxy.windows, deltas),
        ...shadow.handlers,
        ...recordHandlers,
      }, (err, type) => logger.error({ err, worker: worker.id }, `cluster: worker ${worker.id}'s "${type}" failed`)),
    };
    members.set(worker.id, member);
    return member;
  };

  cluster.on('exit', (worker, code, signal) => {
    const member = members.get(worker.id);
    if (!member) return;
    members.delete(worker.id);
    member.channel.close(`worker ${worker.id} exited`);
    member.gone();
    if (stopping) return;
    if (!started) {
      startup.reject(new StartupError(`proxy worker ${worker.id} exited (${signal ?? `code ${code}`}) before it listened: its log lines above say why (a port in use, a refused secret)`));
      return;
    }
    const now = Date.now();
    exits.push(now);
    while (exits.length && (exits[0] as number) < now - RESTART_WINDOW_MS) exits.shift();
    if (exits.length >= MAX_RESTARTS) {
      logger.fatal(`cluster: workers exited ${exits.length} times within ${RESTART_WINDOW_MS / 1000} s (last: worker ${worker.id}, ${signal ?? `code ${code}`}); stopping the proxy. Its log lines above say why`);
      stop('SIGTERM', 1);
      return;
    }
    logger.error(`cluster: worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting another`);
    fork();
  });

  // The admin API, the console, metrics and the JWKS, for the workers to pass requests to.
  const server = createServer(trustWorkerClientAddress(proxy.handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(adminSocket, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const watcher = followRoutesFile(setup, proxy);

  await extensions.shadow.ready();
  for (let i = 0; i < setup.workers; i++) fork();
  let port: number;
  try {
    port = await allListening;
  } catch (err) {
    stopping = true;
    for (const m of members.values()) m.worker.process.kill('SIGTERM');
    watcher?.close();
    server.close();
    await proxy.close();
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  started = true;

  const closePrimary = gracefulStop(logger, server, {
    before: () => {
      watcher?.close();
      proxy.endStreams();
    },
    close: async () => {
      await proxy.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  });
  let exitCode = 0;
  function stop(signal: NodeJS.Signals, code = 0): void {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info(`${signal}: stopping ${members.size} workers`);
    const left = [...members.values()];
    for (const m of left) m.worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const m of members.values()) m.worker.process.kill('SIGKILL');
    }, STOP_WORKERS_MS);
    force.unref();
    void Promise.all(left.map((m) => (m.worker.isDead() ? undefined : new Promise((r) => m.worker.once('exit', r))))).then(() => {
      clearTimeout(force);
      process.exitCode = exitCode;
      closePrimary(signal);
    });
  }
  process.on('SIGTERM', (s) => stop(s));
  process.on('SIGINT', (s) => stop(s));
  // Last: a supervisor may send SIGTERM as soon as it reads this line.
  logListening(setup, proxy, port, setup.workers);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (err: unknown) => {
      clearTimeout(timer);
      reject(err as Error);
    });
  });
}
