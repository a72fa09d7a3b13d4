import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One process at one moment: what /proc says, and the probe's latest lines (scripts/soak/probe.ts). */
export interface ProcessSample {
  readonly rssMb: number;
  readonly fds: number;
  /**
   * V8 heap in use. After a collection (idle samples): every thread's, what stays
   * referenced. Otherwise the main thread's at the probe's last line, garbage included.
   */
  readonly heapMb: number;
  /** V8 heap committed, on the same terms: V8's share of RSS (the rest is native memory and code). */
  readonly heapCommittedMb: number;
  /** The worst 5 s window's event-loop delay p99 since `since`. */
  readonly eldP99Ms: number;
}

interface ProbeLine {
  readonly at: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly eldP99Ms: number;
  readonly collected?: boolean;
  readonly workersHeapUsed?: number;
  readonly workersHeapTotal?: number;
}

/**
 * Samples a process; `since` (ms epoch) bounds the probe windows counted for the delay.
 * With `collectedSince`, the heap is the one the probe measured after its collection
 * (SIGUSR2) at or after that time; see collectedSince().
 */
export function sampleProcess(pid: number, probeDir: string, since: number, collectedSince?: number): ProcessSample {
  const lines = probeLines(pid, probeDir);
  const recent = lines.filter((l) => l.at > since);
  const last = collectedSince === undefined ? lines[lines.length - 1] : lines.findLast((l) => l.collected === true && l.at >= collectedSince);
  const mb = (main: number, workers = 0) => (main + workers) / 2 ** 20;
  return {
    rssMb: rssKb(pid) / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    heapMb: last ? mb(last.heapUsed, last.workersHeapUsed) : NaN,
    heapCommittedMb: last ? mb(last.heapTotal, last.workersHeapTotal) : NaN,
    eldP99Ms: recent.length ? Math.max(...recent.map((l) => l.eldP99Ms)) : NaN,
  };
}

/** Whether the probe of `pid` has written the line of a collection it began at or after `at`. */
export function collectedSince(pid: number, probeDir: string, at: number): boolean {
  return probeLines(pid, probeDir).some((l) => l.collected === true && l.at >= at);
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : NaN;
}

function probeLines(pid: number, dir: string): ProbeLine[] {
  try {
    return readFileSync(join(dir, `${pid}.jsonl`), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeLine);
  } catch {
    return [];
  }
}
