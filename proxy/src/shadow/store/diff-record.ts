import type { Difference } from '../diff/difference.js';
import type { NetworkErrorKind } from '../../network-error-kind.js';

/** Why a shadow copy produced no comparison. */
export type ShadowErrorKind = NetworkErrorKind | 'oversized';

/** One side of an exchange, kept for mismatches so `diff export` can write fixtures. */
export interface StoredAnswer {
  readonly status: number;
  /** Only content-type and the headers the route compares: never cookies or tokens. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly encoding: 'utf8' | 'base64';
}

export interface StoredRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  /** The request body with password/token/secret-like JSON fields redacted. */
  readonly body?: string;
}

export interface Exchange {
  readonly request: StoredRequest;
  readonly primary: StoredAnswer;
  readonly shadow: StoredAnswer;
}

/** One comparison, as a row of `diffs`. */
export interface DiffRecord {
  readonly at: number;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  readonly primaryBackend: string;
  readonly shadowBackend: string;
  readonly primaryStatus: number | undefined;
  readonly shadowStatus: number | undefined;
  readonly match: boolean;
  readonly differences: readonly Difference[];
  readonly omitted: number;
  readonly primaryMs: number | undefined;
  readonly shadowMs: number | undefined;
  readonly error: ShadowErrorKind | undefined;
  /**
   * The answers differed, but a write went through the proxy between the primary's
   * arrival and the shadow's answer: the backends may have read different data. Counted
   * apart, left out of the match rate; `match` is false and no exchange is kept.
   */
  readonly raced?: boolean;
  /** The full exchange, for mismatches only. */
  readonly exchange?: Exchange;
}

/** Shadow copies that never became a comparison. */
export type ShadowEventKind = 'dropped' | 'oversized';
