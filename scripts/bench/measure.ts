import autocannon from 'autocannon';
import pc from 'picocolors';
import { pacedRun, type Companion } from './paced.js';

/** One thing to load: where, and with which credentials. */
export interface LoadTarget {
  readonly label: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Connections for this target, instead of the run's (autocannon only). */
  readonly connections?: number;
  /** Processes whose CPU time per request is reported for this run (the backend, the proxy…). */
  readonly watch?: ReadonlyArray<{ readonly name: string; cpuSeconds(): number }>;
  /**
   * A steady open-loop rate (requests per second, evenly spaced; see paced.ts) instead of
   * autocannon's as-fast-as-it-goes closed loop over `connections`.
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
  /** Every answered request's time (ms), sorted: for pooling rounds; not written to the report. */
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
 * Loads a target with autocannon (or, with `rate`, the paced open-loop generator): a
 * warm-up whose numbers are dropped, then the measured run. Percentiles come from every
 * response's own time (fractional ms), not autocannon's whole-millisecond histogram, so
 * sub-millisecond differences are visible.
 */
export async function measure(target: LoadTarget, settings: LoadSettings, progress: (line: string) => void): Promise<Measurement> {
  if (settings.warmupSec > 0) await run(target, target.connections ?? settings.connections, settings.warmupSec, (left) => progress(`${target.label}: warming up, ${left} s`));
  const times: number[] = [];
  let failures = 0;
  const watched = target.watch ?? [];
  const cpuBefore = watched.map((p) => p.cpuSeconds());
  const result = await run(target, target.connections ?? settings.connections, settings.durationSec, (left, rps) => progress(`${target.label}: measuring, ${left} s left, ${rps} req/s`), (status, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
    else failures += 1;
  });
  // A companion that failed did not put the load on the machine that the run claims.
  failures += result.errors + result.timeouts + result.companionFailures;
  const cpuUsPerRequest = Object.fromEntries(watched.map((p, i) => [p.name, ((p.cpuSeconds() - (cpuBefore[i] as number)) / Math.max(1, times.length)) * 1e6]));
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
    cpuUsPerRequest,
    times,
  };
}

function run(
  target: LoadTarget,
  connections: number,
  durationSec: number,
  onTick: (secondsLeft: number, rps: number) => void,
  onResponse?: (status: number, ms: number) => void,
): Promise<{ errors: number; timeouts: number; late: number; companionFailures: number }> {
  if (target.rate) return pacedRun({ url: target.url, method: target.method ?? 'GET', headers: target.headers, body: target.body }, target.rate, durationSec, onTick, onResponse, target.companion);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, connections, duration: durationSec, method: target.method ?? 'GET', headers: target.headers, body: target.body },
      (err, result) => (err ? reject(err) : resolve({ errors: result.errors, timeouts: result.timeouts, late: 0, companionFailures: 0 })),
    );
    let elapsed = 0;
    let answered = 0;
    let answeredAtLastTick = 0;
    instance.on('tick', () => {
      elapsed += 1;
      onTick(Math.max(0, durationSec - elapsed), answered - answeredAtLastTick);
      answeredAtLastTick = answered;
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      answered += 1;
      onResponse?.(status, ms);
    });
  });
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
