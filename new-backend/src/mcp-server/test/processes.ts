import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Alive means running or stopped; a zombie nobody has reaped yet counts as dead. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until `check` holds; fails with `what` after a generous bound (no timing claim). */
export async function waitFor(check: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`gave up waiting: ${what}`);
    await sleep(25);
  }
}

/** PIDs a test script wrote, one a line, once it has written `count` of them. */
export async function readPids(file: string, count: number): Promise<number[]> {
  let pids: number[] = [];
  await waitFor(() => {
    if (!existsSync(file)) return false;
    pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    return pids.length >= count;
  }, `${count} pids in ${file}`);
  return pids;
}
