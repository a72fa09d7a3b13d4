import { Worker } from 'node:worker_threads';
import type { Comparison } from './compare-answers.js';
import { ownBytes, type CompareJob, type CompareReply } from './compare-job.js';
import type { NoiseEntry } from './noise.js';
import type { CopyResult } from './send-copy.js';

export interface CompareThread {
  /** The comparison of one mirrored request, made on the thread. Rejects if the thread fails. */
  compare(job: CompareJob): Promise<Comparison>;
  /** Ends the thread; comparisons still waiting reject. */
  close(): Promise<void>;
}

// Sources run under tsx (npm start, the image, the tests): the thread registers it first.
// A compiled build (npm run build) loads the .js next to this file directly.
const TS = import.meta.url.endsWith('.ts');
const ENTRY = new URL(TS ? './compare-worker.ts' : './compare-worker.js', import.meta.url).href;
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;

/**
 * The comparison thread: parsing and diffing two answers of up to 1 MiB each takes tens of
 * milliseconds, which on the proxy's own event loop every primary request behind it would
 * wait for. Started on first use; if it dies, the comparisons it held fail (the shadower
 * logs them) and the next one starts a fresh thread with the noise learned so far.
 *
 * @example
 * const thread = startCompareThread(() => store.loadNoise());
 * const comparison = await thread.compare(job);
 */
export function startCompareThread(loadNoise: () => readonly NoiseEntry[]): CompareThread {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { on: Worker; resolve: (c: Comparison) => void; reject: (err: Error) => void }>();

  /** The thread keeps the process alive only while it holds comparisons. */
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
      workerData: { entry: ENTRY, tsx: TS ? import.meta.resolve('tsx/esm/api') : undefined, noise: loadNoise() },
    });
    w.on('message', (reply: CompareReply) => {
      const pending = waiting.get(reply.id);
      if (!pending) return;
      waiting.delete(reply.id);
      hold(w);
      if (reply.ok) pending.resolve(reply.comparison);
      else pending.reject(new Error(`comparison failed on its thread: ${reply.error}`));
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      failAll(w, new Error(`the comparison thread failed: ${err.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(w, new Error(`the comparison thread exited (code ${code})`));
    });
    // An idle thread never holds the process open (after the listeners: adding a 'message'
    // listener refs the worker again); a comparison in progress does (see hold).
    w.unref();
    return w;
  }

  return {
    compare(job) {
      const w = (worker ??= spawn());
      const id = nextId++;
      return new Promise<Comparison>((resolve, reject) => {
        waiting.set(id, { on: w, resolve, reject });
        hold(w);
        const own = { ...job, primaryAnswer: { ...job.primaryAnswer, body: ownBytes(job.primaryAnswer.body) }, requestBody: ownBytes(job.requestBody), shadowResult: owned(job.shadowResult), probeResult: job.probeResult && owned(job.probeResult) };
        const transfer = [own.primaryAnswer.body.buffer as ArrayBuffer, own.requestBody.buffer as ArrayBuffer, ...bodyBuffer(own.shadowResult), ...bodyBuffer(own.probeResult)];
        w.postMessage({ id, job: own }, transfer);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      failAll(w, new Error('the comparison thread was closed'));
      await w.terminate();
    },
  };
}

function owned(result: CopyResult): CopyResult {
  return result.ok ? { ...result, answer: { ...result.answer, body: Buffer.from(ownBytes(result.answer.body).buffer) } } : result;
}

function bodyBuffer(result: CopyResult | undefined): ArrayBuffer[] {
  return result?.ok ? [result.answer.body.buffer as ArrayBuffer] : [];
}
