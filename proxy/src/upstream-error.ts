import { networkErrorKind, type NetworkErrorKind } from './network-error-kind.js';

/** Why an upstream exchange failed, as counted in `proxy_upstream_errors_total{kind}`. */
export type UpstreamErrorKind = NetworkErrorKind;

export interface UpstreamFailure {
  readonly kind: UpstreamErrorKind;
  readonly status: 502 | 504;
  readonly message: 'Bad Gateway' | 'Gateway Timeout';
}

/** The code the proxy gives its own deadline error, so a timeout is told apart from a reset. */
export const UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT';

/**
 * Maps an error of the upstream exchange to the status the client gets. Only a missed
 * deadline is a 504; everything else the backend did wrong (down, reset, garbage) is a 502.
 * A 500 would blame the proxy for the backend.
 */
export function classifyUpstreamError(err: { code?: string | undefined }): UpstreamFailure {
  const kind = err.code === UPSTREAM_TIMEOUT ? 'timeout' : networkErrorKind(err.code);
  return kind === 'timeout'
    ? { kind, status: 504, message: 'Gateway Timeout' }
    : { kind, status: 502, message: 'Bad Gateway' };
}

/** An error carrying the proxy's deadline code, used to abort a slow upstream request. */
export function upstreamTimeoutError(backend: string, timeoutMs: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`backend "${backend}" did not answer within ${timeoutMs} ms`);
  err.code = UPSTREAM_TIMEOUT;
  return err;
}
