import type { IncomingHttpHeaders } from 'node:http';
import { decodeBody } from '../diff/decode-body.js';
import type { DiffRecord } from '../store/diff-record.js';
import type { CapturedResponse, Differ } from '../diff/diff.js';
import { sampleNoise, type NoiseBook, type NoiseEntry } from '../diff/noise.js';
import type { CopyResult } from './send-copy.js';
import { storedExchange } from '../store/stored-exchange.js';

/** The mirrored request, as plain data (it crosses to the shadow thread). */
export interface ComparedRequest {
  readonly route: string;
  readonly method: string;
  readonly pathAndSearch: string;
  readonly requestId: string | undefined;
  readonly contentType: string | undefined;
  readonly primaryBackend: string;
  readonly shadowBackend: string;
}

export interface CompareInput {
  readonly request: ComparedRequest;
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
  const { request, differ, noise, shadowResult, probeResult } = input;
  const primary = await decoded(input.primaryAnswer, input.maxBodyBytes);
  let learned: NoiseEntry[] = [];
  if (probeResult?.ok) {
    const sample = sampleNoise(primary, await decoded(probeResult.answer, input.maxBodyBytes), differ);
    if (sample.ok && sample.patterns.length) learned = noise.observe(request.route, sample.patterns, input.at);
  }
  const base = {
    at: input.at,
    route: request.route,
    method: request.method,
    path: request.pathAndSearch,
    requestId: request.requestId,
    primaryBackend: request.primaryBackend,
    shadowBackend: request.shadowBackend,
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
  const result = differ.diff(primary, shadow, noise.exclusions(request.route));
  const exchange = result.match ? undefined : storedExchange(
    { method: request.method, pathAndSearch: request.pathAndSearch, contentType: request.contentType, body: input.requestBody },
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

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
