import pc from 'picocolors';
import { pacedRun, type Companion, type PacedResult } from './paced.js';
import { wrkRun, type WrkRequest } from './wrk.js';

/** One thing to load: where, and with which credentials. */
export interface LoadTarget {
  readonly label: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Connections for this target, instead of the run's (wrk only). */
  readonly connections?: number;
  /** Processes whose CPU time per request is reported for this run (the backend, the proxy…). */
  readonly watch?: ReadonlyArray<{ readonly name: string; cpuSeconds(): number }>;
  /**
   * A steady open-loop rate (requests per second, evenly spaced; see paced.ts) instead of
   * wrk's as-fast-as-it-goes closed loop over `connections`.
   */
  readonly rate?: number;
  /** Paced runs: a second, unmeasured request after each answer (paced.ts Companion). */
  readonly companion?: Companion;
  /**
   * Runs after each measured run: proves the run did what it claims (e.g. that a shadowed
   * proxy really mirrored and compared) and returns a line for the log; throws if it did not.
   */
  readonly verify?: () => Promise<string>;
}

export interface LoadSettings {
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
}

export interface Measurement {
  readonly label: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers plus connection errors and timeouts: any of them spoils the run. */
  readonly failures: number;
  /** Paced runs: requests the generator sent more than one interval after their slot. */
  readonly late: number;
  /** CPU microseconds per answered request, by watched process. */
  readonly cpuUsPerRequest: Record<string, number>;
  /** Paced runs: every answered request's time (ms), sorted, for pooling rounds (wrk keeps its own histogram); not written to the report. */
  readonly times: readonly number[];
}

/**
 * One measurement from several rounds of the same target: percentiles over every round's
 * answers together (a p99 from 3 × 2 000 answers, not the middle of three noisy ones),
 * counts summed, rates and CPU per request averaged over the answers.
 */
export function pool(rounds: readonly Measurement[]): Measurement {
  const first = rounds[0];
  if (!first) throw new Error('pool: no rounds');
  if (rounds.length === 1) return first;
  // wrk reports percentiles, not each answer's time: its rounds cannot be pooled, only picked (bench.ts median).
  if (rounds.some((m) => m.times.length === 0 && m.requests > 0)) throw new Error('pool: only paced runs keep every answer\'s time');
  const times = rounds.flatMap((m) => m.times).sort((a, b) => a - b);
  const requests = times.length;
  const cpuUsPerRequest = Object.fromEntries(Object.keys(first.cpuUsPerRequest).map((name) => [
    name,
    rounds.reduce((sum, m) => sum + (m.cpuUsPerRequest[name] ?? 0) * m.requests, 0) / Math.max(1, requests),
  ]));
  return {
    label: first.label,
    requests,
    rps: rounds.reduce((sum, m) => sum + m.rps, 0) / rounds.length,
    p50Ms: percentile(times, 0.5),
    p90Ms: percentile(times, 0.9),
    p99Ms: percentile(times, 0.99),
    failures: rounds.reduce((sum, m) => sum + m.failures, 0),
    late: rounds.reduce((sum, m) => sum + m.late, 0),
    cpuUsPerRequest,
    times,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : NaN;
}

/**
 * Loads a target as fast as it goes with wrk (wrk.ts), or with `rate` at a steady
 * open-loop rate (paced.ts): a warm-up whose numbers are dropped, then the measured run.
 * Each watched process's CPU time over the run is divided by the answers it served.
 */
export async function measure(target: LoadTarget, settings: LoadSettings, progress: (line: string) => void): Promise<Measurement> {
  const connections = target.connections ?? settings.connections;
  if (settings.warmupSec > 0) {
    const warm = (left: number) => progress(`${target.label}: warming up, ${left} s`);
    if (target.rate) await paced(target, settings.warmupSec, warm);
    else await wrkRun(request(target), connections, settings.warmupSec, warm);
  }
  const watched = target.watch ?? [];
  const cpuBefore = watched.map((p) => p.cpuSeconds());
  const cpuPerRequest = (answered: number) => Object.fromEntries(watched.map((p, i) => [p.name, ((p.cpuSeconds() - (cpuBefore[i] as number)) / Math.max(1, answered)) * 1e6]));
  if (!target.rate) {
    const r = await wrkRun(request(target), connections, settings.durationSec, (left) => progress(`${target.label}: measuring, ${left} s left`));
    const answered = r.requests - r.badStatus;
    return {
      label: target.label,
      requests: answered,
      rps: answered / r.durationSec,
      p50Ms: r.p50Ms,
      p90Ms: r.p90Ms,
      p99Ms: r.p99Ms,
      failures: r.badStatus + r.errors + r.timeouts,
      late: 0,
      cpuUsPerRequest: cpuPerRequest(r.requests),
      times: [],
    };
  }
  // Percentiles from every response's own time (fractional ms): sub-millisecond differences show.
  const times: number[] = [];
  let failures = 0;
  const result = await paced(target, settings.durationSec, (left, rps) => progress(`${target.label}: measuring, ${left} s left, ${rps} req/s`), (status, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
    else failures += 1;
  });
  // A companion that failed did not put the load on the machine that the run claims.
  failures += result.errors + result.timeouts + result.companionFailures;
  times.sort((a, b) => a - b);
  return {
    label: target.label,
    requests: times.length,
    rps: times.length / settings.durationSec,
    p50Ms: percentile(times, 0.5),
    p90Ms: percentile(times, 0.9),
    p99Ms: percentile(times, 0.99),
    failures,
    late: result.late,
    cpuUsPerRequest: cpuPerRequest(times.length),
    times,
  };
}

function request(target: LoadTarget): WrkRequest {
  return { url: target.url, method: target.method ?? 'GET', headers: target.headers, body: target.body };
}

function paced(
  target: LoadTarget,
  durationSec: number,
  onTick: (secondsLeft: number, rps: number) => void,
  onResponse?: (status: number, ms: number) => void,
): Promise<PacedResult> {
  return pacedRun(request(target), target.rate ?? 1, durationSec, onTick, onResponse, target.companion);
}

/** A progress line that rewrites itself in a terminal and prints sparsely otherwise. */
export function progressPrinter(): { update(line: string): void; done(line: string): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(line) {
      if (tty) process.stderr.write(`\r\x1b[2K${pc.dim(line)}`);
      else if (Date.now() - last > 5000) {
        last = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    done(line) {
      process.stderr.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
