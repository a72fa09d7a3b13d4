import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../scripts/strangler.js', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real `strangler` command (`node scripts/strangler.js …`) as a child process, the way
 * an operator runs it, in `cwd` with exactly `env` (PROXY_URL, PROXY_ADMIN_TOKEN).
 */
export function strangler(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env: options.env, cwd: options.cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`strangler ${args.join(' ')} did not finish: ${err.message}\n${stdout}${stderr}`));
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}
