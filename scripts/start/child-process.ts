import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  exit(): ChildExit | undefined;
  signal(signal: NodeJS.Signals): void;
}

/**
 * Runs `node --import tsx <entry>` with its output read line by line. No shell and no
 * npx in between, so a signal sent to the pid reaches the program itself.
 */
export function runChild(options: {
  name: string;
  entry: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}): RunningChild {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let result: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (err) => {
      options.onLine(`could not start: ${err.message}`, 'stderr');
      result ??= { code: 127, signal: null };
      resolve(result);
    });
    child.once('close', (code, signal) => {
      result ??= { code, signal };
      resolve(result);
    });
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (source) createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => options.onLine(line, stream));
  }
  return {
    name: options.name,
    pid: child.pid ?? -1,
    exited,
    exit: () => result,
    signal(signal) {
      if (result === undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * Stops every child: SIGTERM, then SIGKILL for any still alive after the grace period.
 * Resolves once all have exited.
 */
export async function stopAll(children: readonly RunningChild[], graceMs = 5000): Promise<void> {
  for (const child of children) child.signal('SIGTERM');
  const kill = setTimeout(() => {
    for (const child of children) child.signal('SIGKILL');
  }, graceMs);
  await Promise.all(children.map((c) => c.exited));
  clearTimeout(kill);
}

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
