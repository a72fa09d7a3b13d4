import autocannon from 'autocannon';
import pc from 'picocolors';

/** One thing to load: where, and with which credentials. */
export interface LoadTarget {
  readonly label: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Connections for this target, instead of the run's (a paced load needs few: no bursts). */
  readonly connections?: number;
  /** Processes whose CPU time per request is reported for this run (the backend, the proxy…). */
  readonly watch?: ReadonlyArray<{ readonly name: string; cpuSeconds(): number }>;
  /** Requests per second over all connections (autocannon's overallRate); unset: as fast as it can. */
  readonly rate?: number;
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
  /** CPU microseconds per answered request, by watched process. */
  readonly cpuUsPerRequest: Record<string, number>;
}

/**
 * Loads a target with autocannon: a warm-up whose numbers are dropped, then the measured
 * run. Percentiles come from every response's own time (fractional ms), not autocannon's
 * whole-millisecond histogram, so sub-millisecond differences are visible.
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
  failures += result.errors + result.timeouts;
  const cpuUsPerRequest = Object.fromEntries(watched.map((p, i) => [p.name, ((p.cpuSeconds() - (cpuBefore[i] as number)) / Math.max(1, times.length)) * 1e6]));
  times.sort((a, b) => a - b);
  const pick = (q: number) => times.length ? (times[Math.min(times.length - 1, Math.floor(q * times.length))] as number) : NaN;
  return {
    label: target.label,
    requests: times.length,
    rps: times.length / settings.durationSec,
    p50Ms: pick(0.5),
    p90Ms: pick(0.9),
    p99Ms: pick(0.99),
    failures,
    cpuUsPerRequest,
  };
}

function run(
  target: LoadTarget,
  connections: number,
  durationSec: number,
  onTick: (secondsLeft: number, rps: number) => void,
  onResponse?: (status: number, ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, connections, duration: durationSec, method: target.method ?? 'GET', headers: target.headers, body: target.body, ...(target.rate ? { overallRate: target.rate } : {}) },
      (err, result) => (err ? reject(err) : resolve(result)),
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
