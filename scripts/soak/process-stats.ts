import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One process at one moment: what /proc says, and the probe's latest window (scripts/soak/probe.ts). */
export interface ProcessSample {
  readonly rssMb: number;
  readonly fds: number;
  readonly heapMb: number;
  /** The worst 5 s window's event-loop delay p99 since the previous sample. */
  readonly eldP99Ms: number;
}

interface ProbeLine {
  readonly at: number;
  readonly heapUsed: number;
  readonly eldP99Ms: number;
}

/** Samples a process; `since` (ms epoch) bounds the probe windows counted for the delay. */
export function sampleProcess(pid: number, probeDir: string, since: number): ProcessSample {
  const lines = probeLines(pid, probeDir);
  const recent = lines.filter((l) => l.at > since);
  const last = lines[lines.length - 1];
  return {
    rssMb: rssKb(pid) / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    heapMb: last ? last.heapUsed / 2 ** 20 : NaN,
    eldP99Ms: recent.length ? Math.max(...recent.map((l) => l.eldP99Ms)) : NaN,
  };
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
