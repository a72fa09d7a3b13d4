import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { requireDebianTool } from './debian-tool.js';
import { cpuSecondsOf, freePort, type RunningProcess } from './processes.js';

/**
 * Debian's redis-server on a free port, memory only (no RDB, no AOF), for the sections that
 * read sessions from Redis. It is ended when the bench process exits, however it exits: a
 * section has no stop hook of its own, and a Redis left behind would hold its port.
 */
export async function startBenchRedis(name: string): Promise<RunningProcess & { readonly redisUrl: string }> {
  const binary = requireDebianTool('redis-server', 'redis-server');
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  child.unref();
  const kill = () => void child.kill('SIGKILL');
  process.once('exit', kill);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = createClient({ url: redisUrl, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.on('error', () => undefined);
    const up = await client.connect().then(() => client.ping()).then(() => true, () => false);
    client.destroy();
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`redis-server did not answer on ${redisUrl} within 10 s${child.exitCode !== null ? ` (it exited with ${child.exitCode})` : ''}`);
    }
    await sleep(100);
  }
  return {
    name,
    url: redisUrl,
    redisUrl,
    log: '(not kept)',
    pid: child.pid,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    async stop() {
      kill();
      process.removeListener('exit', kill);
    },
  };
}
