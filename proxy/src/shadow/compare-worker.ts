// The comparison thread (started by compare-thread.ts): decodes, parses and diffs the two
// answers of each mirrored request, and learns noise, off the proxy's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { compareAnswers } from './compare-answers.js';
import { asBuffer, type CompareJob, type CompareReply } from './compare-job.js';
import { createDiffer, type Differ } from './diff.js';
import { NoiseBook, type NoiseEntry } from './noise.js';
import type { CopyResult } from './send-copy.js';

const port = parentPort;
if (!port) throw new Error('compare-worker.ts runs as a worker thread (see compare-thread.ts)');

const noise = new NoiseBook((workerData as { noise: NoiseEntry[] }).noise);
const differs = new Map<string, Differ>();

function differFor(options: CompareJob['diff']): Differ {
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

function revive(result: CopyResult | undefined): CopyResult | undefined {
  if (!result?.ok) return result;
  return { ...result, answer: { ...result.answer, body: asBuffer(result.answer.body) } };
}

port.on('message', (message: { id: number; job: CompareJob }) => {
  const { id, job } = message;
  compareAnswers({
    request: job.request,
    differ: differFor(job.diff),
    noise,
    primaryAnswer: { ...job.primaryAnswer, body: asBuffer(job.primaryAnswer.body) },
    primaryMs: job.primaryMs,
    shadowResult: revive(job.shadowResult) as CopyResult,
    probeResult: revive(job.probeResult),
    requestBody: asBuffer(job.requestBody),
    maxBodyBytes: job.maxBodyBytes,
    at: job.at,
  }).then(
    (comparison) => port.postMessage({ id, ok: true, comparison } satisfies CompareReply),
    (err: unknown) => port.postMessage({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies CompareReply),
  );
});
