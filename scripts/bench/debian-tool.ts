import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string>();

/**
 * The path of a system tool the bench drives (wrk, nginx). Missing, it is installed from
 * Debian's packages with apt-get (as root, or with sudo when that needs no password);
 * when that cannot be done, the error says which command to run.
 */
export function requireDebianTool(binary: string, debianPackage: string): string {
  const known = found.get(binary) ?? locate(binary);
  if (known) {
    found.set(binary, known);
    return known;
  }
  const root = process.getuid?.() === 0;
  const apt = locate('apt-get');
  const sudo = !root && locate('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (apt && (root || sudo)) {
    process.stderr.write(`bench: ${binary} not found; installing Debian's ${debianPackage} (apt-get install -y ${debianPackage})…\n`);
    const run = (args: string[]) => {
      const command = ['env', 'DEBIAN_FRONTEND=noninteractive', ...args];
      return root ? spawnSync(command[0] as string, command.slice(1), { stdio: 'inherit' }) : spawnSync('sudo', ['-n', ...command], { stdio: 'inherit' });
    };
    if (run(['apt-get', 'install', '-y', '--no-install-recommends', debianPackage]).status !== 0) {
      // A fresh machine's package lists may be empty: fetch them once, then try again.
      run(['apt-get', 'update']);
      run(['apt-get', 'install', '-y', '--no-install-recommends', debianPackage]);
    }
    const installed = locate(binary);
    if (installed) {
      found.set(binary, installed);
      return installed;
    }
  }
  throw new Error(`the bench needs ${binary} and could not install it${apt ? ' (not root, and sudo asks for a password)' : ' (no apt-get here)'}: install Debian's ${debianPackage} package (sudo apt-get install ${debianPackage}) or put ${binary} on PATH, then run the bench again`);
}

/** On PATH, or in the sbin folders a non-root PATH often lacks (nginx lives in /usr/sbin). */
function locate(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, binary);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
