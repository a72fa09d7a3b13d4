import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedProcess {
  readonly name: string;
  readonly url: string;
  /** The last lines it printed (stdout and stderr interleaved). */
  lastLines(count?: number): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Shown in messages: `legacy (copy 1)`. */
  readonly name: string;
  /** argv; a first word `node` runs this Node (the one running the replay). */
  readonly command: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly port: number;
  readonly readyPath: string;
  readonly readyTimeoutMs: number;
}

export type StartResult = { ok: true; process: StartedProcess } | { ok: false; error: string };

const KEPT_BYTES = 64 * 1024;

/**
 * Starts one backend or service for a replay and waits until `readyPath` answers (any status
 * below 500). A process that exits first, or never answers, is an error naming it with its
 * last log lines; it is stopped before the error is returned.
 */
export async function startProcess(options: StartOptions): Promise<StartResult> {
  const [first, ...args] = options.command;
  const program = first === 'node' ? process.execPath : (first as string);
  let child: ChildProcess;
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-KEPT_BYTES);
  };
  let exited: string | undefined;
  try {
    child = spawn(program, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (err) {
    return { ok: false, error: `${options.name}: cannot start \`${options.command.join(' ')}\`: ${(err as Error).message}` };
  }
  const gone = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
  });
  child.once('error', (err) => {
    exited = `could not run: ${err.message}`;
    output += `\n${err.message}`;
  });
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${options.port}`;
  const lastLines = (count = 20) => output.trimEnd().split('\n').slice(-count).map((l) => `    ${l}`).join('\n');
  const stop = async () => {
    if (exited !== undefined) return;
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (exited !== undefined) {
      return { ok: false, error: `${options.name} stopped before it was ready (${exited}). \`${options.command.join(' ')}\`; its last lines:\n${lastLines() || '    (nothing printed)'}` };
    }
    try {
      const res = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return { ok: true, process: { name: options.name, url, lastLines, stop } };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { ok: false, error: `${options.name} did not answer ${url}${options.readyPath} within ${Math.round(options.readyTimeoutMs / 1000)} s. \`${options.command.join(' ')}\`; its last lines:\n${lastLines() || '    (nothing printed)'}` };
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
