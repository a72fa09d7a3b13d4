// The shadow thread (started by shadow-thread.ts): sends each mirrored request's copy (and
// noise probe) on its own sockets, decodes, parses and diffs the answers, learns noise, and
// writes diffs.db, all off the proxy's event loop.
import { Agent } from 'node:http';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { compareAnswers, type Comparison } from './compare-answers.js';
import { openDiffStore } from '../store/diff-store.js';
import { createDiffer, type Differ } from '../diff/diff.js';
import { NoiseBook } from '../diff/noise.js';
import { sendCopy, type CopyResult } from './send-copy.js';
import type { DiffRecord } from '../store/diff-record.js';
import { asBuffer, type CopySpec, type MirrorJob, type MirrorOutcome, type ShadowThreadData, type ThreadReply, type ThreadRequest } from './shadow-job.js';

const port = parentPort;
if (!port) throw new Error('shadow-worker.ts runs as a worker thread (see shadow-thread.ts)');
const data = workerData as ShadowThreadData;

// Linux's nice is per thread: this lowers the copies' priority, never the primaries' (the
// proxy's main thread). Elsewhere setpriority(0) would renice the whole process: left alone.
if (data.nice !== 0 && process.platform === 'linux') {
  try {
    setPriority(data.nice);
  } catch {
    // A container without the right to change it: the thread runs at the process's priority.
  }
}

// The only writer of diffs.db: its batched transactions (and SQLite's checkpoints) never
// stall a client's request. The proxy's own connection only reads (GET /__proxy/diffs).
const store = openDiffStore(data.diffsPath, data.storeOptions);
const noise = new NoiseBook(store.loadNoise());
const differs = new Map<string, Differ>();
const agents = new Map<string, Agent>();
/** Mismatches waiting for the proxy's verdict (raced or not), by their mirror request's id. */
const unsettled = new Map<number, { record: DiffRecord; timer: NodeJS.Timeout }>();
// The proxy settles each mismatch as soon as its outcome arrives; one it never settles
// (it failed meanwhile) is written as it stands rather than kept forever.
const SETTLE_TIMEOUT_MS = 10_000;

function differFor(options: MirrorJob['diff']): Differ {
  const key = JSON.stringify(options);
  let differ = differs.get(key);
  if (!differ) {
    const r = createDiffer(options);
    // The proxy checked these options before mirroring; a failure here is a bug.
    if (!r.ok) throw new Error(`diff options refused: ${r.errors.join('; ')}`);
    differ = r.differ;
    differs.set(key, differ);
  }
  return differ;
}

function agentFor(origin: string): Agent {
  let agent = agents.get(origin);
  if (!agent) {
    // Own sockets: copies never queue behind (or in front of) client traffic. Idle sockets
    // close before a backend's usual 5 s keep-alive does, so a reused one is rarely dead.
    agent = new Agent({ keepAlive: true, maxSockets: data.maxSockets, maxFreeSockets: Math.ceil(data.maxSockets / 2), timeout: 4000 });
    agents.set(origin, agent);
  }
  return agent;
}

async function compare(job: MirrorJob, differ: Differ): Promise<{ comparison: Comparison; answeredAt: number }> {
  const body = asBuffer(job.requestBody);
  const send = (spec: CopySpec): Promise<CopyResult> => sendCopy({
    origin: new URL(spec.origin),
    method: job.request.method,
    pathAndSearch: job.request.pathAndSearch,
    headers: spec.headers,
    body,
    timeoutMs: job.timeoutMs,
    maxBytes: job.maxBodyBytes,
    agent: agentFor(spec.origin),
  });
  let answeredAt = 0;
  const shadowAnswer = send(job.copy).then((r) => {
    answeredAt = performance.now();
    return r;
  });
  const [shadowResult, probeResult] = await Promise.all([shadowAnswer, job.probe ? send(job.probe) : undefined]);
  const comparison = await compareAnswers({
    request: job.request,
    differ,
    noise,
    primaryAnswer: { ...job.primaryAnswer, body: asBuffer(job.primaryAnswer.body) },
    primaryMs: job.primaryMs,
    shadowResult,
    probeResult,
    requestBody: body,
    maxBodyBytes: job.maxBodyBytes,
    at: job.at,
  });
  return { comparison, answeredAt };
}

/**
 * Compares, and queues the result for diffs.db (a mismatch once the proxy has settled it);
 * the proxy gets only what its metrics, its log and its verdict need.
 */
async function mirror(id: number, job: MirrorJob, differ: Differ): Promise<MirrorOutcome> {
  const { comparison, answeredAt } = await compare(job, differ);
  if (comparison.learned.length) store.saveNoise(comparison.learned);
  if (comparison.kind === 'oversized') {
    store.count(job.request.route, 'oversized');
    return { kind: 'oversized' };
  }
  const { record } = comparison;
  const { error, differences } = record;
  if (comparison.kind === 'matched') {
    store.record(record);
    return { kind: 'matched' };
  }
  if (comparison.kind === 'error') {
    store.record(record);
    return { kind: 'error', error };
  }
  const timer = setTimeout(() => settle(id, false), SETTLE_TIMEOUT_MS);
  timer.unref();
  unsettled.set(id, { record, timer });
  return { kind: 'mismatched', differences: differences.slice(0, 5), answeredAgoMs: performance.now() - answeredAt };
}

/** Writes a settled mismatch: a raced one keeps no exchange (it is no evidence against the shadow). */
function settle(id: number, raced: boolean): void {
  const waiting = unsettled.get(id);
  if (!waiting) return;
  unsettled.delete(id);
  clearTimeout(waiting.timer);
  if (!raced) return store.record(waiting.record);
  const { exchange: _dropped, ...rest } = waiting.record;
  store.record({ ...rest, raced: true });
}

const reply = (message: ThreadReply) => port.postMessage(message);
const failed = (id: number) => (err: unknown) => reply({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });

port.on('message', (message: ThreadRequest) => {
  const { id } = message;
  if (message.type === 'mirror') {
    // Outside the promise: options the proxy should have refused are a bug, and end the thread.
    const differ = differFor(message.job.diff);
    mirror(id, message.job, differ).then((outcome) => reply({ id, ok: true, outcome }), failed(id));
    return;
  }
  // A verdict is posted without waiting for a reply.
  if (message.type === 'settle') return settle(message.mirror, message.raced);
  try {
    if (message.type === 'count') store.count(message.route, message.kind);
    else if (message.type === 'flush') store.flush();
    else {
      for (const id of [...unsettled.keys()]) settle(id, false);
      store.close();
    }
    reply({ id, ok: true });
  } catch (err) {
    failed(id)(err);
  }
});
