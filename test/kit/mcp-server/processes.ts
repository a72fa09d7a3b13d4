import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '../wait-for.js';

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
