import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchedProcess {
  readonly child: ChildProcess;
  /** Everything written so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited(timeoutMs?: number): Promise<number | string>;
  /** Ends it for good if a test failed halfway (SIGKILL). */
  kill(): void;
}

/**
 * Runs a real process (`node --import tsx <script>`), collecting its output so a test
 * can wait for a line instead of sleeping.
 */
export function runTsx(script: string, options: { args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string; preload?: readonly string[] } = {}): WatchedProcess {
  // Resolved here, so the process may run in any folder (a temp dir with no node_modules).
  return runProcess(process.execPath, ['--import', import.meta.resolve('tsx'), ...importFlags(options.preload), script, ...(options.args ?? [])], options);
}

/** Node's flags that load `files` before the script (`--import a --import b`). */
export function importFlags(files: readonly string[] = []): string[] {
  return files.flatMap((file) => ['--import', file]);
}

/** The preload that sends a process SIGTERM as it writes a line matching `SIGTERM_ON_LINE` (kit/preload/sigterm-on-line.ts). */
export const SIGTERM_ON_LINE_PRELOAD = new URL('./preload/sigterm-on-line.ts', import.meta.url).href;

/** Runs any real program the same way (e.g. an installed `npx strangler`). */
export function runProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): WatchedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString();
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitResult: number | string | undefined;
  const exit = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => {
      exitResult = code ?? signal ?? 'unknown';
      listeners.forEach((l) => l());
      resolve(exitResult);
    });
  });

  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) return done(() => resolve(match));
          if (exitResult !== undefined) return done(() => reject(new Error(`process ended (${exitResult}) before printing ${pattern}; output:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    exited(timeoutMs = 60_000) {
      return Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; output:\n${text}`)), timeoutMs).unref()),
      ]);
    },
    kill() {
      if (exitResult === undefined) child.kill('SIGKILL');
    },
  };
}
