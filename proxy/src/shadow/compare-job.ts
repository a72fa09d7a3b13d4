import type { IncomingHttpHeaders } from 'node:http';
import type { ComparedRequest, Comparison } from './compare-answers.js';
import type { DiffOptions } from './diff.js';
import type { CopyResult } from './send-copy.js';

/**
 * One comparison as it crosses to the comparison thread: plain data only. Bodies travel
 * as exact-length copies whose memory is handed over (transferred), not cloned again.
 */
export interface CompareJob {
  readonly request: ComparedRequest;
  /** The route's diff options (a differ per distinct set is kept on the thread). */
  readonly diff: Pick<DiffOptions, 'ignore' | 'unordered' | 'headers'>;
  readonly primaryAnswer: { status: number; headers: IncomingHttpHeaders; body: Uint8Array };
  readonly primaryMs: number;
  readonly shadowResult: CopyResult;
  readonly probeResult: CopyResult | undefined;
  readonly requestBody: Uint8Array;
  readonly maxBodyBytes: number;
  readonly at: number;
}

export type CompareReply =
  | { readonly id: number; readonly ok: true; readonly comparison: Comparison }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** A Buffer's bytes in memory of their own, so they can be transferred without copying a shared pool. */
export function ownBytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}

/** A Buffer over bytes that arrived from another thread (they arrive as plain Uint8Array). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
