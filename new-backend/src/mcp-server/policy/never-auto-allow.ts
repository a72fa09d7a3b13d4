/**
 * SECURITY.md "Binaries never to auto-allow": each runs other programs, writes anywhere,
 * or talks to the network given the right flag or config file. The policy validator
 * refuses `decision: allow` for any of them (by name, by the basename of the configured
 * path, and by the basename of its real path, so `ls: { path: /usr/bin/bash }` fails too).
 */
const NAMES = [
  // shells and interpreters
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox',
  'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'tclsh', 'wish', 'irb',
  'awk', 'gawk', 'mawk', 'nawk', 'sed',
  // run-any-argv wrappers
  'env', 'xargs', 'find', 'timeout', 'nice', 'nohup', 'setsid', 'stdbuf', 'time', 'watch', 'flock',
  'strace', 'ltrace', 'gdb', 'script', 'parallel', 'sudo', 'su', 'doas', 'runuser', 'chroot',
  'unshare', 'nsenter', 'setpriv', 'prlimit', 'systemd-run', 'at', 'batch', 'crontab', 'ionice', 'taskset', 'chrt',
  // a flag or config file leads to exec
  'git', 'tar', 'zip', 'unzip', 'rsync', 'ssh', 'scp', 'sort', 'make', 'npm', 'npx', 'yarn', 'pnpm', 'pip', 'pip3',
  'man', 'less', 'more', 'most', 'vi', 'vim', 'nvim', 'nano', 'ed', 'emacs',
  // exfiltration and writes
  'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'openssl', 'sftp', 'ftp', 'tee', 'dd', 'cp', 'mv', 'ln',
  'rm', 'chmod', 'chown', 'chgrp', 'install', 'docker', 'podman', 'kubectl', 'psql', 'mysql', 'sqlite3',
] as const;

const PATTERNS = [/^python[0-9.]*$/, /^pypy[0-9.]*$/, /^perl[0-9.]*$/, /^ruby[0-9.]*$/, /^php[0-9.]*$/, /^lua[0-9.]*$/, /^pip[0-9.]*$/];

const SET: ReadonlySet<string> = new Set(NAMES);

export function isNeverAutoAllowed(name: string): boolean {
  return SET.has(name) || PATTERNS.some((p) => p.test(name));
}
