// Loaded into each process the soak starts (`node --import tsx --import scripts/soak/probe.ts`):
// every few seconds it appends what only the process itself can see — its V8 heap and the
// event loop's delay — as a JSON line to SOAK_PROBE_DIR/<pid>.jsonl. RSS and open files are
// read from /proc by the soak. The file is opened once, so the probe holds one fd throughout.
//
// SIGUSR2 (sent by the soak in its idle phases) collects garbage the way V8 does when the
// system runs low on memory, on the main thread and on each worker thread (the proxy's
// shadow thread), through the inspector protocol (HeapProfiler.collectGarbage), then writes
// a line marked `collected` with the heap of every thread. The heap then holds what is still
// referenced, which is what a leak grows, and V8 has given back what it keeps for speed:
// above all the young generation, which it sizes (1 to 16 MB per semi-space, per thread) by
// the allocation rate it last measured. A plain full collection (`global.gc()`) keeps that
// size, so RSS sampled after the load swung by up to 30 MB per thread with nothing leaked.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.SOAK_PROBE_DIR;
if (dir && isMainThread) {
  const everyMs = Number(process.env.SOAK_PROBE_MS ?? 5000);
  const fd = openSync(join(dir, `${process.pid}.jsonl`), 'a');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const write = (extra: Record<string, unknown> = {}) => {
    const { heapUsed, heapTotal } = process.memoryUsage();
    const line = { at: Date.now(), heapUsed, heapTotal, eldP99Ms: delay.percentile(99) / 1e6, eldMaxMs: delay.max / 1e6, ...extra };
    delay.reset();
    writeSync(fd, `${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(() => write(), everyMs);
  timer.unref();
  let collecting = false;
  process.on('SIGUSR2', () => {
    if (collecting) return;
    collecting = true;
    collectEverywhere().then(
      (workers) => write({ collected: true, workers: workers.length, workersHeapUsed: sum(workers, 'heapUsed'), workersHeapTotal: sum(workers, 'heapTotal') }),
      (err: unknown) => write({ collected: false, error: String(err) }),
    ).finally(() => (collecting = false));
  });
  process.once('exit', () => closeSync(fd));
}

interface Heap {
  readonly heapUsed: number;
  readonly heapTotal: number;
}

/** A worker's answer to one inspector command (Runtime.evaluate's value, for a string result). */
interface WorkerReply {
  readonly id?: number;
  readonly result?: { readonly result?: { readonly value?: string } };
}

function sum(heaps: readonly Heap[], key: keyof Heap): number {
  return heaps.reduce((n, h) => n + h[key], 0);
}

/** Collects on this thread and on every worker thread; resolves with the workers' heaps after. */
async function collectEverywhere(): Promise<Heap[]> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  try {
    await post('HeapProfiler.collectGarbage');
    // NodeWorker.enable reports each running worker before it answers.
    const workers: string[] = [];
    session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string } }) => workers.push(m.params.sessionId));
    const replies = new Map<number, (reply: WorkerReply) => void>();
    session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => {
      const reply = JSON.parse(m.params.message) as WorkerReply;
      if (reply.id !== undefined) replies.get(reply.id)?.(reply);
    });
    let nextId = 0;
    const inWorker = (sessionId: string, method: string, params?: object) =>
      new Promise<WorkerReply>((resolve) => {
        const id = ++nextId;
        replies.set(id, resolve);
        void post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
      });
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const heaps: Heap[] = [];
    for (const sessionId of workers) {
      await inWorker(sessionId, 'HeapProfiler.collectGarbage');
      const reply = await inWorker(sessionId, 'Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' });
      const value = reply.result?.result?.value;
      if (value) heaps.push(JSON.parse(value) as Heap);
    }
    await post('NodeWorker.disable');
    return heaps;
  } finally {
    session.disconnect();
  }
}
