import { createServer } from 'node:http';
import cluster from 'node:cluster';
import { listen } from '../../../lib/listen.js';
import { parsePublicHosts } from '../allowed-hosts.js';
import { parseRouteTable, type RouteTable } from '../config/index.js';
import { dataPlaneSettings, gracefulStop, openExtensions, type ProcessSetup } from '../process-setup.js';
import type { RecordExtension } from '../record/index.js';
import { createIpcChannel, type IpcPeer } from './ipc-channel.js';
import { followRecordings, type ActiveRecordings } from './remote-record.js';
import { createRemoteShadowThread, ReportingWriteLog } from './remote-shadow.js';
import { createWorkerProxy, type WorkerProxy } from './worker-proxy.js';

/** What the primary answers a worker's `hello`: the table in force, numbered, and the recordings running. */
export interface Hello {
  readonly generation: number;
  readonly text: string;
  readonly recordings: ActiveRecordings;
}

/** How often a worker reports its requests to the primary's windows (rollout gates, stats). */
const WINDOWS_EVERY_MS = 1000;

/**
 * A cluster worker: routes requests with the table the primary sends, and nothing else.
 * It asks the primary for the table in force, builds its proxy from that text, listens on
 * the shared port (node:cluster hands it connections), and from then on takes each new
 * table the primary publishes, answering once it routes with it. It stops on SIGTERM (the
 * primary's, or the terminal's), and when the primary is gone.
 */
export async function runClusterWorker(setup: ProcessSetup): Promise<void> {
  const { env, routesFile, logger } = setup;
  // Set once built; the primary's calls may come before.
  const live: { proxy?: WorkerProxy; record?: RecordExtension } = {};
  // A table published while this worker was still starting: put in force before it listens.
  let latest: { generation: number; text: string } | undefined;
  let following: ActiveRecordings = [];

  const parse = (text: string): RouteTable => {
    const parsed = parseRouteTable(text, { source: routesFile, env });
    // The primary parsed the same text with the same environment: a refusal here is a bug.
    if (!parsed.ok) throw new Error(`the primary's routes file does not parse in this worker: ${parsed.errors.join('; ')}`);
    return parsed.table;
  };

  const channel = createIpcChannel(process as unknown as IpcPeer, {
    table: ({ generation, text }: { generation: number; text: string }) => {
      const { proxy } = live;
      if (!proxy) {
        if (!latest || generation > latest.generation) latest = { generation, text };
        return generation;
      }
      if (generation > proxy.state().generation) proxy.apply(parse(text), generation);
      return proxy.state().generation;
    },
    metrics: () => {
      if (!live.proxy) throw new Error('still starting');
      return live.proxy.metrics.registry.getMetricsAsJSON();
    },
    'record.active': (active: ActiveRecordings) => {
      following = active;
      if (live.record) followRecordings(live.record, channel, active);
    },
  }, (err, type) => logger.error({ err }, `cluster: the primary's "${type}" failed here`));

  const hello = await channel.call<Hello>('hello');
  if (!latest || hello.generation > latest.generation) latest = { generation: hello.generation, text: hello.text };
  if (following.length === 0) following = hello.recordings;
  const first = parse(latest.text);
  const extensions = await openExtensions(setup, first.tokens, { thread: createRemoteShadowThread(channel), writes: new ReportingWriteLog(channel) });
  const { bridge, shadow, record } = extensions;
  const hosts = parsePublicHosts(env.PUBLIC_HOSTS);
  const started = createWorkerProxy({
    table: first,
    generation: latest.generation,
    adminSocket: env.STRANGLER_ADMIN_SOCKET ?? '',
    publicHosts: hosts.ok ? hosts.hosts : [],
    ...dataPlaneSettings(setup),
    workerId: cluster.worker?.id ?? 0,
  }, { logger, extensions: [shadow, record, bridge], identify: bridge.identify });
  live.proxy = started;
  live.record = record;
  bridge.open(first);
  shadow.registerMetrics(started.metrics.registry);
  bridge.registerMetrics(started.metrics.registry);
  followRecordings(record, channel, following);
  // A table published while the extensions opened.
  if (latest.generation > started.state().generation) started.apply(parse(latest.text), latest.generation);

  const server = createServer(started.handler);
  server.on('upgrade', started.upgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  await shadow.ready();

  const report = () => {
    const deltas = started.takeWindows();
    if (deltas.length) channel.notify('windows', deltas);
  };
  const reporting = setInterval(report, WINDOWS_EVERY_MS);
  reporting.unref();

  const stop = gracefulStop(logger, server, {
    before: () => clearInterval(reporting),
    close: async () => {
      report();
      await started.close();
      channel.close('the worker stopped');
    },
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  let port: number;
  try {
    port = await listen(server, setup.port, setup.host, 'PROXY_PORT');
  } catch (err) {
    // The caller reports the error; the channel to the primary must not keep this process alive after it.
    channel.close('the worker did not start');
    process.disconnect();
    throw err;
  }
  // The primary is gone: nobody will publish tables or read the figures any more.
  process.on('disconnect', () => stop('SIGTERM'));
  channel.notify('ready', { port, generation: started.state().generation });
}
