import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ComparedRequest } from './compare-answers.js';
import type { ShadowErrorKind, ShadowEventKind } from '../store/diff-record.js';
import type { DiffStoreOptions } from '../store/diff-store.js';
import type { Difference } from '../diff/difference.js';
import type { DiffOptions } from '../diff/diff.js';

/** One request the shadow thread sends: where, and with which headers (authorisation already applied). */
export interface CopySpec {
  /** The backend's origin (a URL's href: URL objects do not cross threads). */
  readonly origin: string;
  readonly headers: OutgoingHttpHeaders;
}

/**
 * One mirrored request as it crosses to the shadow thread: plain data only. The thread
 * sends the copy (and the noise probe), then compares. Bodies travel as exact-length
 * copies whose memory is handed over (transferred), not cloned again.
 */
export interface MirrorJob {
  readonly request: ComparedRequest;
  /** The route's diff options (a differ per distinct set is kept on the thread). */
  readonly diff: Pick<DiffOptions, 'ignore' | 'unordered' | 'headers'>;
  readonly primaryAnswer: { status: number; headers: IncomingHttpHeaders; body: Uint8Array };
  readonly primaryMs: number;
  /** The copy to the shadow backend. */
  readonly copy: CopySpec;
  /** A second request to the primary, when its noise is being learned. */
  readonly probe: CopySpec | undefined;
  /** The copy's own deadline. */
  readonly timeoutMs: number;
  readonly requestBody: Uint8Array;
  readonly maxBodyBytes: number;
  readonly at: number;
}

/**
 * What became of one mirrored request. Its row is already queued for diffs.db on the
 * thread, except a mismatch's: that waits for the proxy's verdict (`settle`), because only
 * the proxy's thread knows which writes went through meanwhile.
 */
export interface MirrorOutcome {
  /** `raced` only on the proxy's side, once it judged a mismatch (the thread answers `mismatched`). */
  readonly kind: 'matched' | 'mismatched' | 'raced' | 'error' | 'oversized';
  /** For the proxy's debug line: why the copy failed, or the first differences. */
  readonly error?: ShadowErrorKind;
  readonly differences?: readonly Difference[];
  /** A mismatch: how long ago (ms, when the reply left) the shadow's answer arrived. */
  readonly answeredAgoMs?: number;
}

/** Messages to the shadow thread. Each is answered by a reply with the same id. */
export type ThreadRequest =
  | { readonly id: number; readonly type: 'mirror'; readonly job: MirrorJob }
  /** Copies that never reached the thread (dropped, oversized), counted in diffs.db. */
  | { readonly id: number; readonly type: 'count'; readonly route: string; readonly kind: ShadowEventKind }
  /** The verdict on a mismatch (the `mirror` request's id): raced, or a real difference. */
  | { readonly id: number; readonly type: 'settle'; readonly mirror: number; readonly raced: boolean }
  /** Writes the rows waiting for the next batch now. */
  | { readonly id: number; readonly type: 'flush' }
  /** Writes what is waiting and closes diffs.db: the last message before the thread ends. */
  | { readonly id: number; readonly type: 'close' };

export type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly outcome?: MirrorOutcome }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** diffs.db's settings as they cross to the shadow thread: plain data (no clock function). */
export type ThreadStoreOptions = Omit<DiffStoreOptions, 'clock'>;

/** What the shadow thread is started with. */
export interface ShadowThreadData {
  readonly entry: string;
  /** tsx's ESM API, when the sources run as .ts. */
  readonly tsx: string | undefined;
  /** diffs.db: the thread is its only writer. */
  readonly diffsPath: string;
  readonly storeOptions: ThreadStoreOptions;
  /** Sockets per backend origin the thread may open (copies in flight, plus probes). */
  readonly maxSockets: number;
  /** The thread's nice value (Linux: per thread); 0 leaves it as the process's. */
  readonly nice: number;
}

/** A Buffer's bytes in memory of their own, so they can be transferred without copying a shared pool. */
export function ownBytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}

/** A Buffer over bytes that arrived from another thread (they arrive as plain Uint8Array). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
