import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

/** What the traffic did so far; `failures` keeps the first few for the report. */
export interface TrafficCounts {
  requests: number;
  failed: number;
  /** Requests resent once because the proxy closed their keep-alive connection as they went out (not failures). */
  resent: number;
  wsMessages: number;
  wsFailed: number;
  wsConnections: number;
  readonly failures: string[];
}

export interface TrafficOptions {
  /** The proxy's origin, e.g. http://127.0.0.1:5634. */
  readonly base: string;
  /** `Cookie` of a logged-in admin: the bridge turns it into a token for the new backend. */
  readonly cookie: string;
  /** HTTP requests per second, evenly spaced, cycling through `paths`. */
  readonly rate: number;
  readonly paths: readonly string[];
  /** WebSocket clients on /mcp/ws, each sending a message every `wsEveryMs` and reconnecting every `wsLifetimeMs`. */
  readonly wsClients: number;
  readonly wsEveryMs: number;
  readonly wsLifetimeMs: number;
}

const TIMEOUT_MS = 10_000;
const KEEP_FAILURES = 10;

/**
 * Runs `judge` once the I/O that is already waiting has been read. Timers run before I/O in
 * Node's event loop: after a stall of this process (a busy machine), a deadline would
 * otherwise fire before an answer that arrived in time is read, and count it as missing.
 */
function afterPendingIo(judge: () => void): void {
  setImmediate(judge);
}

/**
 * Steady traffic through the proxy until `stop()`: an open-loop HTTP load (a request leaves
 * on its slot whether or not earlier ones answered) and WebSocket clients that talk on
 * /mcp/ws and reconnect now and then, so upgrades keep crossing route flips. Any answer
 * other than 2xx, any error or timeout, a socket that closes unasked or a message that
 * gets no answer is a failure.
 */
export function startTraffic(options: TrafficOptions): { counts: TrafficCounts; stop(): Promise<void> } {
  const counts: TrafficCounts = { requests: 0, failed: 0, resent: 0, wsMessages: 0, wsFailed: 0, wsConnections: 0, failures: [] };
  const fail = (what: string) => {
    if (counts.failures.length < KEEP_FAILURES) counts.failures.push(`${new Date().toISOString()} ${what}`);
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const freshAgent = new Agent({ keepAlive: false });
  const origin = new URL(options.base);
  let running = true;
  // Pauses end early on stop(): a client waiting out its stagger must not hold the soak's end.
  const stopped = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => undefined);
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const send = (path: string, attempt = 1): Promise<void> => new Promise<void>((resolve) => {
    let done = false;
    let answered = false;
    const finish = (failure?: string) => {
      if (done) return;
      done = true;
      counts.requests += 1;
      if (failure) {
        counts.failed += 1;
        fail(`GET ${path}: ${failure}`);
      }
      resolve();
    };
    // The resend goes out on a new connection (an agent without keep-alive), never on another idle one.
    const req = request({ hostname: origin.hostname, port: origin.port, path, agent: attempt === 1 ? agent : freshAgent, headers: { cookie: options.cookie, accept: 'application/json' } }, (res) => {
      answered = true;
      res.on('data', () => {});
      res.on('end', () => finish(res.statusCode && res.statusCode < 300 ? undefined : `status ${res.statusCode} from ${String(res.headers['x-backend'])}`));
      res.on('error', (err) => finish(err.message));
    });
    req.setTimeout(TIMEOUT_MS, () => {
      afterPendingIo(() => {
        if (done) return;
        finish(answered ? `the answer's body stalled for ${TIMEOUT_MS / 1000} s` : `no answer within ${TIMEOUT_MS / 1000} s`);
        req.destroy();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (done) return;
      if (attempt === 1 && !answered && req.reusedSocket && err.code === 'ECONNRESET') {
        // The proxy closed this idle keep-alive connection (its keep-alive timeout) as the
        // request went out on it: nothing reached it. HTTP clients resend a safe request
        // once in that case (RFC 9112 §9.3.1), as browsers do and as the proxy does towards
        // its backends; counted apart. A reset on a new connection, after any answer, or of
        // the resend is a failure.
        done = true;
        counts.resent += 1;
        resolve(send(path, 2));
        return;
      }
      finish(err.message);
    });
    req.end();
  });

  const httpLoop = (async () => {
    const interval = 1000 / options.rate;
    const start = performance.now();
    for (let i = 0; running; i++) {
      const wait = start + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      if (running) track(send(options.paths[i % options.paths.length] as string));
    }
  })();

  const wsLoops = Array.from({ length: options.wsClients }, (_, n) => (async () => {
    // Staggered, so reconnections spread over the lifetime.
    await pause((options.wsLifetimeMs / options.wsClients) * n);
    while (running) await wsSession(n);
  })());

  /** One connection: open, a message every wsEveryMs answered in order, closed after its lifetime. */
  async function wsSession(n: number): Promise<void> {
    const url = `${options.base.replace(/^http/, 'ws')}/mcp/ws`;
    const ws = new WebSocket(url, { headers: { cookie: options.cookie } });
    let waiting: { id: string; timer: NodeJS.Timeout; resolve: () => void } | undefined;
    let closing = false;
    const closed = new Promise<void>((resolve) => {
      ws.once('close', (code) => {
        if (!closing) {
          counts.wsFailed += 1;
          fail(`ws client ${n}: closed unasked (${code})`);
        }
        if (waiting) {
          clearTimeout(waiting.timer);
          waiting.resolve();
        }
        resolve();
      });
    });
    ws.on('error', (err) => {
      if (closing) return;
      closing = true;
      counts.wsFailed += 1;
      fail(`ws client ${n}: ${err.message}`);
    });
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { type?: string; id?: string };
      if (!waiting || reply.id !== waiting.id) return; // a pushed command_update
      clearTimeout(waiting.timer);
      counts.wsMessages += 1;
      // Unknown types are answered with an error naming the id: a round trip without side effects.
      if (reply.type !== 'error') {
        counts.wsFailed += 1;
        fail(`ws client ${n}: unexpected answer ${String(data).slice(0, 200)}`);
      }
      waiting.resolve();
      waiting = undefined;
    });
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
    });
    if (!opened) {
      await pause(1000);
      return;
    }
    counts.wsConnections += 1;
    const until = Date.now() + options.wsLifetimeMs;
    for (let i = 0; running && Date.now() < until && ws.readyState === WebSocket.OPEN; i++) {
      const id = `soak-${n}-${i}`;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => afterPendingIo(() => {
          if (waiting?.id !== id) return;
          counts.wsFailed += 1;
          fail(`ws client ${n}: no answer to ${id} within ${TIMEOUT_MS} ms`);
          waiting = undefined;
          resolve();
        }), TIMEOUT_MS);
        waiting = { id, timer, resolve };
        ws.send(JSON.stringify({ type: 'soak_ping', id }));
      });
      await pause(options.wsEveryMs);
    }
    closing = true;
    ws.close(1000);
    await closed;
  }

  return {
    counts,
    async stop() {
      running = false;
      stopped.abort();
      await Promise.all([httpLoop, ...wsLoops]);
      while (pending.size > 0) await Promise.all(pending);
      agent.destroy();
      freshAgent.destroy();
    },
  };
}
