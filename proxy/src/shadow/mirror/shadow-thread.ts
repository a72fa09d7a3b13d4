import { Worker } from 'node:worker_threads';
import type { ShadowEventKind } from '../store/diff-record.js';
import { ownBytes, type MirrorJob, type ThreadStoreOptions, type MirrorOutcome, type ShadowThreadData, type ThreadReply, type ThreadRequest } from './shadow-job.js';

/**
 * Whether a mismatch raced a write, given how long ago (ms) the shadow's answer arrived:
 * asked on the proxy's thread, which alone sees the writes going through.
 */
export type RaceJudge = (answeredAgoMs: number) => boolean;

/** What `raced` judges against, for a thread in another process that judges with writes of its own (cluster workers). */
export interface RaceContext {
  readonly database: string;
  /** When the primary request arrived, on this process's performance.now() clock. */
  readonly startedAt: number;
}

export interface ShadowThread {
  /**
   * Sends one mirrored request's copy on the thread, compares, queues the row; a mismatch
   * is first judged by `raced` (default: never) and recorded as `raced` or `mismatched`.
   * Rejects if the thread fails.
   */
  mirror(job: MirrorJob, raced?: RaceJudge, race?: RaceContext): Promise<MirrorOutcome>;
  /**
   * Starts the thread now (a table that shadows was loaded), so the first copies do not
   * wait for it to load (under tsx that takes about a second); resolves once it answers.
   */
  warm(): Promise<void>;
  /** Whether a thread runs (tests). */
  running(): boolean;
  /** Counts a copy that never reached the thread (dropped, oversized) in diffs.db. */
  count(route: string, kind: ShadowEventKind): Promise<void>;
  /** Writes the rows waiting for their batch now (no-op when no thread runs). */
  flush(): Promise<void>;
  /** Writes what is waiting, closes diffs.db, ends the thread; copies still in flight reject. */
  close(): Promise<void>;
}

export interface ShadowThreadOptions {
  /** diffs.db: the thread is its only writer. */
  readonly diffsPath: string;
  readonly storeOptions?: ThreadStoreOptions;
  /** Sockets per backend origin (default 64). */
  readonly maxSockets?: number;
  /** The thread's nice value on Linux (default 10); 0 runs it at the process's priority. */
  readonly nice?: number;
}

// Sources run under tsx (npm start, the image, the tests): the thread registers it first.
// A compiled build (npm run build) loads the .js next to this file directly.
const TS = import.meta.url.endsWith('.ts');
const ENTRY = new URL(TS ? './shadow-worker.ts' : './shadow-worker.js', import.meta.url).href;
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;

/**
 * The shadow thread: everything a copy costs after the primary has answered happens here,
 * not on the proxy's event loop: the copy's HTTP exchange with the shadow backend (and the
 * noise probe's with the primary), decoding, parsing and diffing two answers of up to
 * 1 MiB each (tens of milliseconds), noise learning, and the diffs.db writes (a batch
 * every 100 ms, and SQLite's checkpoints, would otherwise stall whichever request came
 * in meanwhile). On Linux the thread runs at nice 10,
 * so where the proxy's cores are busy the kernel gives them to client traffic first and
 * copies wait (past the shadower's bounds they are dropped and counted). Started on first
 * use; if it dies, the copies it held fail (the shadower logs them), rows still waiting for
 * their batch (at most ~100 ms of them) are lost, and the next copy starts a fresh thread,
 * which reads the noise learned so far back from diffs.db.
 *
 * @example
 * const thread = startShadowThread({ diffsPath: 'data/diffs.db' });
 * const outcome = await thread.mirror(job);
 */
export function startShadowThread(options: ShadowThreadOptions): ShadowThread {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { on: Worker; resolve: (outcome: MirrorOutcome | undefined) => void; reject: (err: Error) => void }>();

  /** The thread keeps the process alive only while it holds copies. */
  const hold = (on: Worker) => {
    let held = false;
    for (const w of waiting.values()) if (w.on === on) held = true;
    if (held) on.ref();
    else on.unref();
  };

  /** Fails what `on` held (a thread's late exit event must not fail its successor's work). */
  const failAll = (on: Worker, err: Error) => {
    for (const [id, w] of waiting) {
      if (w.on !== on) continue;
      waiting.delete(id);
      w.reject(err);
    }
  };

  function spawn(): Worker {
    const w = new Worker(BOOT, {
      eval: true,
      workerData: {
        entry: ENTRY,
        tsx: TS ? import.meta.resolve('tsx/esm/api') : undefined,
        diffsPath: options.diffsPath,
        storeOptions: options.storeOptions ?? {},
        maxSockets: options.maxSockets ?? 64,
        nice: options.nice ?? 10,
      } satisfies ShadowThreadData,
    });
    w.on('message', (reply: ThreadReply) => {
      const pending = waiting.get(reply.id);
      if (!pending) return;
      waiting.delete(reply.id);
      hold(w);
      if (reply.ok) pending.resolve(reply.outcome);
      else pending.reject(new Error(`the shadow thread failed it: ${reply.error}`));
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      failAll(w, new Error(`the shadow thread failed: ${err.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(w, new Error(`the shadow thread exited (code ${code})`));
    });
    // An idle thread never holds the process open (after the listeners: adding a 'message'
    // listener refs the worker again); a copy in progress does (see hold).
    w.unref();
    return w;
  }

  /** Sends one message to a running thread and waits for its reply. */
  function call(on: Worker, message: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<MirrorOutcome | undefined> {
    return new Promise((resolve, reject) => {
      waiting.set(message.id, { on, resolve, reject });
      hold(on);
      on.postMessage(message, transfer);
    });
  }

  return {
    async mirror(job, raced = () => false) {
      const own = { ...job, primaryAnswer: { ...job.primaryAnswer, body: ownBytes(job.primaryAnswer.body) }, requestBody: ownBytes(job.requestBody) };
      const on = (worker ??= spawn());
      const id = nextId++;
      const outcome = await call(on, { id, type: 'mirror', job: own }, [own.primaryAnswer.body.buffer as ArrayBuffer, own.requestBody.buffer as ArrayBuffer]);
      if (!outcome) throw new Error('the shadow thread answered a copy without its outcome');
      if (outcome.kind !== 'mismatched') return outcome;
      const verdict = raced(outcome.answeredAgoMs ?? 0);
      // Nothing to wait for: the thread writes the row; a thread gone meanwhile lost it anyway.
      on.postMessage({ id: nextId++, type: 'settle', mirror: id, raced: verdict } satisfies ThreadRequest);
      return verdict ? { ...outcome, kind: 'raced' } : outcome;
    },
    async warm() {
      const w = (worker ??= spawn());
      // Answered once the thread has loaded its modules and opened diffs.db.
      await call(w, { id: nextId++, type: 'flush' });
    },
    running: () => worker !== undefined,
    async count(route, kind) {
      await call((worker ??= spawn()), { id: nextId++, type: 'count', route, kind });
    },
    async flush() {
      if (worker) await call(worker, { id: nextId++, type: 'flush' });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      try {
        await call(w, { id: nextId++, type: 'close' });
      } catch {
        // A thread that already failed has nothing left to write.
      }
      failAll(w, new Error('the shadow thread was closed'));
      await w.terminate();
    },
  };
}
