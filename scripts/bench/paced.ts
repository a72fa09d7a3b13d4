import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PacedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * A second request sent for each answered one, `delayMs` after its answer, and not
 * measured: load on another server that the measured request causes elsewhere (e.g. what a
 * shadow backend serves when the proxy mirrors), put on the machine by the generator.
 */
export interface Companion extends PacedRequest {
  readonly delayMs: number;
}

export interface PacedResult {
  /** Requests the schedule called for. */
  readonly scheduled: number;
  /** Requests sent more than one interval after their slot (the generator itself fell behind). */
  readonly late: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Companion requests that failed or answered other than 2xx. */
  readonly companionFailures: number;
}

const TIMEOUT_MS = 10_000;

/**
 * An open-loop load at a fixed rate, as wrk2 does it: request i leaves at start + i/rate
 * whether or not earlier ones have answered, each on a pooled keep-alive socket. A closed
 * loop (a per-second rate that lets each connection fire back to back until its quota for
 * the second is spent) sends the next request the moment the previous answer
 * lands, so anything the server does after answering, such as a shadow copy, is always in
 * the next request's way; real clients do not wait for each other like that.
 *
 * A response's time runs from the moment its request is written to its last byte, so
 * the generator's own timer jitter is not counted as the server's latency; sends that
 * slip by more than one interval are counted as `late` (the bench refuses a run where
 * more than 1 % did: its load was not the rate it claims).
 */
export async function pacedRun(
  target: PacedRequest,
  rate: number,
  durationSec: number,
  onTick: (secondsLeft: number, rps: number) => void,
  onResponse?: (status: number, ms: number) => void,
  companion?: Companion,
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const companionAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const main = prepared(target);
  const second = companion && prepared(companion);
  const interval = 1000 / rate;
  const total = Math.round(rate * durationSec);
  let late = 0;
  let errors = 0;
  let timeouts = 0;
  let companionFailures = 0;
  let answered = 0;
  let answeredAtLastTick = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };

  const sendCompanion = (r: Prepared, delayMs: number) => track(new Promise<void>((resolve) => {
    setTimeout(() => exchange(r, companionAgent, (outcome) => {
      if (outcome.kind !== 'answered' || outcome.status >= 300) companionFailures += 1;
      resolve();
    }), delayMs);
  }));

  const send = (): Promise<void> => new Promise<void>((resolve) => {
    const started = performance.now();
    exchange(main, agent, (outcome) => {
      if (outcome.kind === 'answered') {
        answered += 1;
        onResponse?.(outcome.status, performance.now() - started);
        if (companion && second) sendCompanion(second, companion.delayMs);
      } else if (outcome.kind === 'timeout') timeouts += 1;
      else errors += 1;
      resolve();
    });
  });

  const start = performance.now();
  const ticker = setInterval(() => {
    const elapsed = Math.round((performance.now() - start) / 1000);
    onTick(Math.max(0, durationSec - elapsed), answered - answeredAtLastTick);
    answeredAtLastTick = answered;
  }, 1000);
  try {
    for (let i = 0; i < total; i++) {
      const slot = start + i * interval;
      const wait = slot - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() - slot > interval) late += 1;
      track(send());
    }
    // Companions are added as their requests answer: wait until none is left.
    while (inFlight.size > 0) await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
    agent.destroy();
    companionAgent.destroy();
  }
  return { scheduled: total, late, errors, timeouts, companionFailures };
}

interface Prepared {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

/** A request's URL parsed and its body encoded once, for every time it is sent. */
function prepared(r: PacedRequest): Prepared {
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  return { url: new URL(r.url), method: r.method, headers: { ...r.headers, ...(body ? { 'content-length': String(body.length) } : {}) }, body };
}

type Outcome = { kind: 'answered'; status: number } | { kind: 'timeout' } | { kind: 'error' };

/** Sends a request on `agent` and reads its answer to the end; `done` is called once, synchronously with the last byte. */
function exchange(r: Prepared, agent: Agent, done: (outcome: Outcome) => void): void {
  let settled = false;
  const finish = (outcome: Outcome) => {
    if (settled) return;
    settled = true;
    done(outcome);
  };
  const req = request({ hostname: r.url.hostname, port: r.url.port, path: r.url.pathname + r.url.search, method: r.method, headers: r.headers, agent }, (res) => {
    res.on('data', () => {});
    res.on('end', () => finish({ kind: 'answered', status: res.statusCode ?? 0 }));
    res.on('error', () => finish({ kind: 'error' }));
  });
  req.setTimeout(TIMEOUT_MS, () => {
    finish({ kind: 'timeout' });
    req.destroy();
  });
  req.on('error', () => finish({ kind: 'error' }));
  req.end(r.body);
}
