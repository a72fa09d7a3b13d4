import { randomUUID } from 'node:crypto';

/** Visible ASCII only, 1–128 characters: safe to log and to pass on in a header. */
const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The request id a request travels with: the client's `X-Request-Id` when it is sane (so a
 * caller can follow its own id through the logs), else a fresh UUID.
 */
export function acceptRequestId(value: string | string[] | undefined): string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}
