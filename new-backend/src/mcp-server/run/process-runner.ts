import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CappedOutput } from './capped-output.js';
import { detectWrappers, wrap } from './containment-wrapper.js';
import type { RunnerOptions, RunRequest } from './run-request.js';
import { sanitizeOutput } from './sanitize-output.js';

// The request and options types live a level down, shared with the containment wrapper.
export type { ResourceLimits, RunnerOptions, RunRequest } from './run-request.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Stopped because it wrote far more than could be kept. */
  readonly flooded: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Set when the program could not be started at all. */
  readonly spawnError?: string;
}

export interface ProcessRunner {
  run(request: RunRequest): Promise<RunResult>;
  /** Process groups still alive. */
  liveGroups(): number;
  /** SIGKILLs every live group and waits for their runs to settle (server shutdown, P6). */
  killAll(): Promise<void>;
  /** How runs are wrapped: `setpriv+prlimit`, or `none` where util-linux is missing. */
  readonly containment: 'setpriv+prlimit' | 'none';
}

const SAFE_ENV_PATH = '/usr/bin:/bin';
const FLOOD_FACTOR = 64;
const DRAIN_AFTER_EXIT_MS = 1000;

/**
 * Runs one program per call, contained but not sandboxed (P1–P6): no shell, stdin closed,
 * an environment built from an allowlist (no secret of ours reaches it), its own process
 * group (detached) so a timeout kills grandchildren too, `setpriv --no-new-privs
 * --pdeathsig=KILL` and `prlimit` around it when util-linux provides them, output capped
 * and sanitised. Every live group is tracked so shutdown can kill them.
 *
 * @example
 * const runner = createProcessRunner();
 * const r = await runner.run({ file: '/usr/bin/echo', args: ['hi'], cwd: ws, home: ws,
 *   timeoutMs: 30_000, maxOutputBytes: 262_144, limits: { cpuSeconds: 10, fileSizeBytes: 1 << 24, openFiles: 128 } });
 */
export function createProcessRunner(options: RunnerOptions = {}): ProcessRunner {
  const grace = options.killGraceMs ?? 2000;
  const wrappers = options.wrappers === undefined ? detectWrappers() : options.wrappers;
  const live = new Map<number, Promise<RunResult>>();

  function run(request: RunRequest): Promise<RunResult> {
    const { file, args } = wrap(wrappers, request);
    const started = performance.now();
    const half = Math.floor(request.maxOutputBytes / 2);
    const out = new CappedOutput(half, half * FLOOD_FACTOR);
    const err = new CappedOutput(half, half * FLOOD_FACTOR);
    let timedOut = false;
    let cancelled = false;
    let flooded = false;
    const child = spawn(file, args, {
      shell: false,
      cwd: request.cwd,
      env: { PATH: SAFE_ENV_PATH, HOME: request.home, LANG: 'C.UTF-8', TERM: 'dumb' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    const killGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      killGroup('SIGTERM');
      graceTimer ??= setTimeout(() => killGroup('SIGKILL'), grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, request.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();

    child.stdout.on('data', (chunk: Buffer) => {
      if (out.push(chunk) && !flooded) {
        flooded = true;
        killGroup('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.push(chunk) && !flooded) {
        flooded = true;
        killGroup('SIGKILL');
      }
    });

    const result = new Promise<RunResult>((resolve) => {
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let spawnError: string | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        clearTimeout(drainTimer);
        request.signal?.removeEventListener('abort', onAbort);
        if (pid !== undefined) live.delete(pid);
        resolve({
          stdout: sanitizeOutput(out.text()),
          stderr: sanitizeOutput(err.text()),
          exitCode,
          signal: exitSignal,
          timedOut,
          cancelled,
          flooded,
          truncated: out.truncated || err.truncated,
          durationMs: Math.round(performance.now() - started),
          stdoutBytes: out.total,
          stderrBytes: err.total,
          ...(spawnError ? { spawnError } : {}),
        });
      };
      child.on('error', (e: NodeJS.ErrnoException) => {
        spawnError = `${e.code ?? 'error'}: ${e.message}`;
        if (pid === undefined) settle();
      });
      child.on('exit', (code, sig) => {
        exitCode = code;
        exitSignal = sig;
        // Whatever the program left running in its group dies with it.
        killGroup('SIGKILL');
        // A process that escaped the group could hold the pipes open forever.
        drainTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          settle();
        }, DRAIN_AFTER_EXIT_MS);
      });
      child.on('close', settle);
    });
    if (pid !== undefined) live.set(pid, result);
    return result;
  }

  async function killAll(): Promise<void> {
    const running = [...live.entries()];
    for (const [pid] of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all(running.map(([, p]) => p));
  }

  return { run, liveGroups: () => live.size, killAll, containment: wrappers ? 'setpriv+prlimit' : 'none' };
}
