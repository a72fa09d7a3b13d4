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

async function compare(job: MirrorJob, differ: Differ): Promise<Comparison> {
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
  const [shadowResult, probeResult] = await Promise.all([send(job.copy), job.probe ? send(job.probe) : undefined]);
  return compareAnswers({
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
}

/** Compares, and queues the result for diffs.db; the proxy gets only what its metrics and log need. */
async function mirror(job: MirrorJob, differ: Differ): Promise<MirrorOutcome> {
  const comparison = await compare(job, differ);
  if (comparison.learned.length) store.saveNoise(comparison.learned);
  if (comparison.kind === 'oversized') {
    store.count(job.request.route, 'oversized');
    return { kind: 'oversized' };
  }
  store.record(comparison.record);
  const { error, differences } = comparison.record;
  return comparison.kind === 'matched' ? { kind: 'matched' } : { kind: comparison.kind, error, differences: differences.slice(0, 5) };
}

const reply = (message: ThreadReply) => port.postMessage(message);
const failed = (id: number) => (err: unknown) => reply({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });

port.on('message', (message: ThreadRequest) => {
  const { id } = message;
  if (message.type === 'mirror') {
    // Outside the promise: options the proxy should have refused are a bug, and end the thread.
    const differ = differFor(message.job.diff);
    mirror(message.job, differ).then((outcome) => reply({ id, ok: true, outcome }), failed(id));
    return;
  }
  try {
    if (message.type === 'count') store.count(message.route, message.kind);
    else if (message.type === 'flush') store.flush();
    else store.close();
    reply({ id, ok: true });
  } catch (err) {
    failed(id)(err);
  }
});
