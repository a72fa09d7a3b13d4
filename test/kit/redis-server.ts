import { freePorts } from './ports.js';
import { runProcess, type WatchedProcess } from './process.js';

export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Ends the server at once (SIGKILL), as a crash would; its data is gone (nothing is saved). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its connections but stops answering, as a stalled one would. */
  pause(): void;
  resume(): void;
  /** Stops it for good (SIGTERM); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A private Debian `redis-server` on a free port, memory only (no RDB, no AOF), for a test
 * that must meet the real thing: its TTLs, its disconnects, its restarts.
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RunningRedis> {
  const port = options.port ?? (await freePorts(1))[0]!;
  let server: WatchedProcess | undefined = await spawnRedis(port);
  const end = async (signal: NodeJS.Signals) => {
    const ending = server;
    server = undefined;
    if (!ending) return;
    ending.child.kill('SIGCONT'); // a paused server would not act on SIGTERM
    ending.child.kill(signal);
    await ending.exited(10_000).catch(() => ending.kill());
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL');
      server = await spawnRedis(port);
    },
    pause: () => void server?.child.kill('SIGSTOP'),
    resume: () => void server?.child.kill('SIGCONT'),
    stop: () => end('SIGTERM'),
  };
}

async function spawnRedis(port: number): Promise<WatchedProcess> {
  const server = runProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const spawnFailed = new Promise<never>((_, reject) => server.child.once('error', (err) => reject(new Error(`redis-server could not start (${err.message}): install Debian's redis-server`))));
  try {
    await Promise.race([server.waitFor(/Ready to accept connections/, 10_000), spawnFailed]);
  } catch (err) {
    server.kill();
    throw err;
  }
  return server;
}
