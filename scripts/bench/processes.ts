import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningProcess {
  /** A short name for tables (`legacy`, `proxy`…). */
  readonly name: string;
  readonly url: string;
  readonly log: string;
  /** The OS process id, for what /proc tells about it (memory, open files). */
  readonly pid: number | undefined;
  /** CPU time (user + system) used so far, in seconds; NaN where /proc is unavailable. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Where each started process writes V8 CPU profiles when it exits (`npm run bench --
 * --cpu-prof DIR`), in a folder named after the process; undefined: no profiles.
 */
let cpuProfileDir: string | undefined;
export function profileProcessesInto(dir: string | undefined): void {
  cpuProfileDir = dir;
}

/**
 * Modules every started process imports before its entry point, the environment they read
 * and Node flags they need (the soak's probe: scripts/soak/probe.ts); none by default.
 */
let preload: { readonly modules: readonly string[]; readonly env: Record<string, string>; readonly flags: readonly string[] } = { modules: [], env: {}, flags: [] };
export function preloadIntoProcesses(modules: readonly string[], env: Record<string, string> = {}, flags: readonly string[] = []): void {
  preload = { modules, env, flags };
}

/** A port free right now (the OS picks it), for a child process to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts one of the project's `main.ts` entry points as its own process, logging to a file
 * (a pipe read by the bench would take CPU from the load generator), and resolves once
 * `readyPath` answers 200.
 */
export async function startMain(name: string, entry: string, port: number, readyPath: string, env: Record<string, string>, log: string): Promise<RunningProcess> {
  const fd = openSync(log, 'w');
  // One folder per process: each of its threads (the tsx loader's, the proxy's shadow thread)
  // writes its own profile, CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
  const profile = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', join(cpuProfileDir, name)] : [];
  const imports = preload.modules.flatMap((m) => ['--import', m]);
  const child: ChildProcess = spawn(process.execPath, [...profile, ...preload.flags, '--import', 'tsx', ...imports, entry], {
    env: { PATH: process.env.PATH ?? '', ...preload.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = await fetch(`${url}${readyPath}`).then((r) => r.status === 200, () => false);
    if (ready) {
      return {
        name,
        url,
        log,
        pid: child.pid,
        // With PROXY_WORKERS the workers are the proxy's children: their CPU is the proxy's.
        cpuSeconds: () => treeCpuSeconds(child.pid),
        stop: async () => {
          if (exited !== null) return;
          child.kill('SIGTERM');
          for (let i = 0; i < 100 && exited === null; i++) await sleep(50);
          if (exited === null) child.kill('SIGKILL');
        },
      };
    }
    if (exited !== null) throw new Error(`${entry} exited with code ${exited} before answering ${readyPath}; its log (${log}):\n${readFileSync(log, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not answer ${url}${readyPath} within 120 s; see ${log}`);
    }
    await sleep(200);
  }
}

/** utime + stime of a process from /proc/<pid>/stat (clock ticks: 100 per second on Linux). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process and its direct children (nginx's workers, the proxy's cluster workers). */
export function treeCpuSeconds(pid: number | undefined): number {
  return [pid, ...childrenOf(pid)].reduce<number>((sum, p) => sum + cpuSecondsOf(p), 0);
}

function childrenOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
