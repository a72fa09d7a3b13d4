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
 * loop (autocannon's per-second rate lets each connection fire back to back until its
 * quota for the second is spent) sends the next request the moment the previous answer
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
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const companionAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  let companionFailures = 0;
  const companions = new Set<Promise<void>>();
  const sendCompanion = (c: Companion) => {
    const p = new Promise<void>((resolve) => {
      setTimeout(() => {
        const curl = new URL(c.url);
        const req = request({ hostname: curl.hostname, port: curl.port, path: curl.pathname + curl.search, method: c.method, headers: c.headers, agent: companionAgent }, (res) => {
          if ((res.statusCode ?? 0) >= 300) companionFailures += 1;
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        });
        req.setTimeout(TIMEOUT_MS, () => req.destroy());
        req.on('error', () => {
          companionFailures += 1;
          resolve();
        });
        req.end();
      }, c.delayMs);
    });
    companions.add(p);
    void p.then(() => companions.delete(p));
  };
  const body = target.body === undefined ? undefined : Buffer.from(target.body);
  const headers = { ...target.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const interval = 1000 / rate;
  const total = Math.round(rate * durationSec);
  let late = 0;
  let errors = 0;
  let timeouts = 0;
  let answered = 0;
  let answeredAtLastTick = 0;
  const inFlight = new Set<Promise<void>>();

  const send = (): Promise<void> => new Promise<void>((resolve) => {
    const started = performance.now();
    let timedOut = false;
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: target.method, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        answered += 1;
        onResponse?.(res.statusCode ?? 0, performance.now() - started);
        if (companion) sendCompanion(companion);
        resolve();
      });
      res.on('error', () => {
        errors += 1;
        resolve();
      });
    });
    req.setTimeout(TIMEOUT_MS, () => {
      timedOut = true;
      timeouts += 1;
      req.destroy();
    });
    req.on('error', () => {
      if (!timedOut) errors += 1;
      resolve();
    });
    req.end(body);
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
      const p = send();
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
    }
    await Promise.all(inFlight);
    await Promise.all(companions);
  } finally {
    clearInterval(ticker);
    agent.destroy();
    companionAgent.destroy();
  }
  return { scheduled: total, late, errors, timeouts, companionFailures };
}
