import { checkBinary } from '../policy/check-binary.js';
import type { RunRequest, RunnerOptions } from './run-request.js';

/**
 * `setpriv --no-new-privs --pdeathsig=KILL -- prlimit <limits> -- <program> <args>` (P5):
 * no privilege gain through setuid binaries, death with the server, and CPU, file-size,
 * open-file, core and (optionally) process limits. Both wrappers exec, so the program
 * keeps the pid the runner tracks.
 */
export function wrap(wrappers: RunnerOptions['wrappers'], r: RunRequest): { file: string; args: string[] } {
  if (!wrappers) return { file: r.file, args: [...r.args] };
  const limits = [
    `--cpu=${r.limits.cpuSeconds}`,
    `--fsize=${r.limits.fileSizeBytes}`,
    `--nofile=${r.limits.openFiles}`,
    '--core=0',
    ...(r.limits.processes ? [`--nproc=${r.limits.processes}`] : []),
  ];
  return {
    file: wrappers.setpriv,
    args: ['--no-new-privs', '--pdeathsig=KILL', '--', wrappers.prlimit, ...limits, '--', r.file, ...r.args],
  };
}

/** The util-linux wrappers, when installed root-owned where we expect them. */
export function detectWrappers(): { setpriv: string; prlimit: string } | null {
  const setpriv = '/usr/bin/setpriv';
  const prlimit = '/usr/bin/prlimit';
  return checkBinary(setpriv) === undefined && checkBinary(prlimit) === undefined ? { setpriv, prlimit } : null;
}
