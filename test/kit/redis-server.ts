import { spawn, type ChildProcess } from 'node:child_process';
import { freePorts } from './ports.js';

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
  /** Stops it for good (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A private Debian `redis-server` on a free port, memory only (no RDB, no AOF), for a test
 * that must meet the real thing: its TTLs, its disconnects, its restarts.
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RunningRedis> {
  const port = options.port ?? (await freePorts(1))[0]!;
  let child: ChildProcess | undefined = await spawnRedis(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child) await end(child, 'SIGKILL');
      child = undefined;
    },
    async restart() {
      if (child) await end(child, 'SIGKILL');
      child = await spawnRedis(port);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      if (!child) return;
      const ending = child;
      child = undefined;
      ending.kill('SIGCONT');
      await end(ending, 'SIGTERM');
    },
  };
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server on port ${port} was not ready within 10 s; output:\n${output}`)), 10_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => fail(new Error(`redis-server could not start (${err.message}): install Debian's redis-server`)));
    child.once('exit', (code) => fail(new Error(`redis-server on port ${port} exited (${code}) before it was ready; output:\n${output}`)));
  });
  // Its output is no longer read, but must be drained so the pipe never blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

function end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
