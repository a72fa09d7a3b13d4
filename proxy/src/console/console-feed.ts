import type { ServerResponse } from 'node:http';
import type { AdminGet } from './admin-reader.js';
import type { ConsoleSession } from './console-sessions.js';

/** What the stream pushes, each as its own event, and where each is read. */
export const FEED_PARTS = {
  routes: '/__proxy/routes',
  stats: '/__proxy/stats',
  rollouts: '/__proxy/rollouts',
  // One sample is the least the endpoint sends; the page shows none.
  diffs: '/__proxy/diffs?since=15m&top=5&samples=1',
  history: '/__proxy/history?limit=40',
} as const;

export type FeedPartName = keyof typeof FEED_PARTS;

/** One part as the page gets it: the endpoint's JSON, or why there is none. */
export type FeedPart = { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly status: number; readonly error: string };

export interface ConsoleFeedOptions {
  readonly get: AdminGet;
  /** How often the parts are read while a stream is open (ms). Default 1000. */
  readonly intervalMs?: number;
  /** A comment line keeps idle streams open through intermediaries (ms). Default 15000. */
  readonly heartbeatMs?: number;
  readonly clock?: () => number;
}

export interface ConsoleFeed {
  /** Streams to `res` until the client leaves or the session ends. */
  subscribe(res: ServerResponse, session: ConsoleSession | undefined): void;
  /** Reads the parts now (after an action), instead of at the next tick. */
  poke(): void;
  /** Ends the streams of a session (sign-out, expiry). */
  endSession(session: ConsoleSession): void;
  close(): void;
  subscribers(): number;
}

/** A stream that falls this far behind (bytes unsent) is ended; EventSource reconnects it. */
const MAX_BACKLOG = 1 << 20;

interface Subscriber {
  readonly res: ServerResponse;
  readonly session: ConsoleSession | undefined;
}

/**
 * One reader for every open console: while at least one stream is open, it reads each part
 * every interval and pushes the parts whose JSON changed to every stream (server-sent
 * events). A new stream gets the latest of each part at once.
 */
export function createConsoleFeed(options: ConsoleFeedOptions): ConsoleFeed {
  const intervalMs = options.intervalMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const clock = options.clock ?? Date.now;
  const subscribers = new Set<Subscriber>();
  const latest = new Map<FeedPartName, string>();
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let again = false;
  let lastWrite = 0;
  let closed = false;

  function send(sub: Subscriber, chunk: string): void {
    if (sub.res.writableLength > MAX_BACKLOG) {
      end(sub);
      return;
    }
    sub.res.write(chunk);
  }

  function end(sub: Subscriber, event?: string): void {
    if (!subscribers.delete(sub)) return;
    if (event && !sub.res.writableEnded) sub.res.write(event);
    sub.res.end();
  }

  async function read(): Promise<void> {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    clearTimeout(timer);
    timer = undefined;
    try {
      const names = Object.keys(FEED_PARTS) as FeedPartName[];
      const parts = await Promise.all(names.map(async (name) => [name, toPart(await options.get(FEED_PARTS[name]))] as const));
      const now = clock();
      for (const sub of subscribers) {
        if (sub.session && sub.session.expiresAt <= now) end(sub, 'event: signed-out\ndata: {"reason":"the sign-in expired"}\n\n');
      }
      let chunk = '';
      for (const [name, part] of parts) {
        const json = JSON.stringify(part);
        if (latest.get(name) === json) continue;
        latest.set(name, json);
        chunk += `event: ${name}\ndata: ${json}\n\n`;
      }
      if (chunk === '' && now - lastWrite >= heartbeatMs) chunk = ': still here\n\n';
      if (chunk !== '') {
        lastWrite = now;
        for (const sub of subscribers) send(sub, chunk);
      }
    } finally {
      reading = false;
      schedule(again ? 0 : intervalMs);
      again = false;
    }
  }

  function schedule(delay: number): void {
    if (closed || subscribers.size === 0 || timer) return;
    timer = setTimeout(() => void read(), delay);
    timer.unref();
  }

  return {
    subscribe(res, session) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      const sub: Subscriber = { res, session };
      subscribers.add(sub);
      res.on('close', () => subscribers.delete(sub));
      let first = 'retry: 2000\n\n';
      for (const [name, json] of latest) first += `event: ${name}\ndata: ${json}\n\n`;
      res.write(first);
      // The first stream after a quiet spell starts from fresh figures, not the cached ones.
      if (subscribers.size === 1) latest.clear();
      schedule(0);
    },
    poke() {
      if (subscribers.size === 0) return;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      void read();
    },
    endSession(session) {
      for (const sub of subscribers) if (sub.session === session) end(sub, 'event: signed-out\ndata: {"reason":"signed out"}\n\n');
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const sub of subscribers) end(sub);
    },
    subscribers: () => subscribers.size,
  };
}

function toPart(answer: { status: number; body: unknown }): FeedPart {
  if (answer.status === 200) return { ok: true, body: answer.body };
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  return { ok: false, status: answer.status, error: typeof error === 'string' ? error : `answered ${answer.status}` };
}
