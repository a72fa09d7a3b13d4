import { startServer, type RunningServer } from '../server.js';

export interface SwitchableBackend extends RunningServer {
  readonly name: string;
  /** From now on every answer is `500 {"error":"Internal Server Error"}`. */
  fail(): void;
  /** From now on a 200 answer's body differs from the other backend's (`"variant": "different"`). */
  differ(): void;
  /** From now on every answer waits this long first. */
  slow(ms: number): void;
  /** Requests answered so far, and how many of them with a 500. */
  counts(): { answered: number; failed: number };
}

/** A backend that answers `200 {"url": …}` until told to fail (or to answer differently). */
export async function startSwitchableBackend(name: string): Promise<SwitchableBackend> {
  let failing = false;
  let differing = false;
  let delayMs = 0;
  let answered = 0;
  let failed = 0;
  const running = await startServer((req, res) => {
    req.resume();
    answered += 1;
    const status = failing ? 500 : 200;
    if (failing) failed += 1;
    // The same body whichever backend answers (X-Backend tells them apart), so shadow copies match.
    const body = JSON.stringify(failing ? { error: 'Internal Server Error' } : { url: req.url, ...(differing ? { variant: 'different' } : {}) });
    const answer = () => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  return {
    ...running,
    name,
    fail: () => {
      failing = true;
    },
    differ: () => {
      differing = true;
    },
    slow: (ms) => {
      delayMs = ms;
    },
    counts: () => ({ answered, failed }),
  };
}
