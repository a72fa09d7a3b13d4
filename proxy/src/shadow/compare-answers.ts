import type { IncomingHttpHeaders } from 'node:http';
import { decodeBody } from './decode-body.js';
import type { DiffRecord } from './diff-record.js';
import type { CapturedResponse, Differ } from './diff.js';
import { sampleNoise, type NoiseBook, type NoiseEntry } from './noise.js';
import type { CopyResult } from './send-copy.js';
import type { MirrorStart } from './shadow-settings.js';
import { storedExchange } from './stored-exchange.js';

export interface CompareInput {
  readonly start: MirrorStart;
  readonly differ: Differ;
  readonly noise: NoiseBook;
  readonly primaryAnswer: { status: number; headers: IncomingHttpHeaders; body: Buffer };
  readonly primaryMs: number;
  readonly shadowResult: CopyResult;
  /** A second answer of the primary to the same request, when noise is being learned. */
  readonly probeResult: CopyResult | undefined;
  readonly requestBody: Buffer;
  readonly maxBodyBytes: number;
  readonly at: number;
}

export type Comparison =
  | { kind: 'matched' | 'mismatched' | 'error'; record: DiffRecord; learned: NoiseEntry[] }
  | { kind: 'oversized'; learned: NoiseEntry[] };

/**
 * Turns the answers of one mirrored request into a diffs.db row: learns noise from the
 * primary's two answers first (when sampled), then compares primary and shadow without
 * the route's noise. Bodies are compared decoded (gzip, deflate, br).
 */
export async function compareAnswers(input: CompareInput): Promise<Comparison> {
  const { start, differ, noise, shadowResult, probeResult } = input;
  const primary = await decoded(input.primaryAnswer, input.maxBodyBytes);
  let learned: NoiseEntry[] = [];
  if (probeResult?.ok) {
    const sample = sampleNoise(primary, await decoded(probeResult.answer, input.maxBodyBytes), differ);
    if (sample.ok && sample.patterns.length) learned = noise.observe(start.route, sample.patterns, input.at);
  }
  const base = {
    at: input.at,
    route: start.route,
    method: start.method,
    path: start.pathAndSearch,
    requestId: start.requestId,
    primaryBackend: start.primary.name,
    shadowBackend: start.shadow.name,
    primaryStatus: primary.status,
    primaryMs: round(input.primaryMs),
  };
  if (!shadowResult.ok) {
    if (shadowResult.error === 'oversized') return { kind: 'oversized', learned };
    return {
      kind: 'error',
      learned,
      record: { ...base, shadowStatus: undefined, match: false, differences: [], omitted: 0, shadowMs: round(shadowResult.ms), error: shadowResult.error },
    };
  }
  const shadow = await decoded(shadowResult.answer, input.maxBodyBytes);
  const result = differ.diff(primary, shadow, noise.exclusions(start.route));
  const exchange = result.match ? undefined : storedExchange(
    { method: start.method, pathAndSearch: start.pathAndSearch, contentType: headerText(start.req.headers['content-type']), body: input.requestBody },
    primary, shadow, differ.options.headers ?? [],
  );
  return {
    kind: result.match ? 'matched' : 'mismatched',
    learned,
    record: {
      ...base,
      shadowStatus: shadow.status,
      match: result.match,
      differences: result.differences,
      omitted: result.omitted,
      shadowMs: round(shadowResult.ms),
      error: undefined,
      ...(exchange ? { exchange } : {}),
    },
  };
}

async function decoded(answer: { status: number; headers: IncomingHttpHeaders; body: Buffer }, maxBytes: number): Promise<CapturedResponse> {
  const r = await decodeBody(answer.body, answer.headers['content-encoding'], maxBytes * 4);
  return { status: answer.status, headers: answer.headers, body: r.ok ? r.body : answer.body };
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
