import { headerValue, type CapturedResponse } from '../diff/diff.js';
import type { Exchange, StoredAnswer, StoredRequest } from './diff-record.js';
import { isJsonMediaType } from '../diff/media-type.js';

/** Bodies longer than this are not kept for export (the comparison itself is stored). */
const MAX_STORED_BODY = 256 * 1024;
const SECRET_KEY = /pass|token|secret|authorization|cookie|api[-_]?key/i;
const REDACTED = '[redacted]';

/**
 * The exchange kept beside a mismatch, so `strangler diff export` can write it as a
 * fixture: both answers with only content-type and the compared headers (never cookies or
 * tokens), and the request with secret-looking fields redacted. Undefined when a body is
 * too large to keep.
 */
export function storedExchange(
  request: { method: string; pathAndSearch: string; contentType: string | undefined; body: Buffer },
  primary: CapturedResponse,
  shadow: CapturedResponse,
  comparedHeaders: readonly string[],
): Exchange | undefined {
  if (primary.body.length > MAX_STORED_BODY || shadow.body.length > MAX_STORED_BODY || request.body.length > MAX_STORED_BODY) return undefined;
  const req: StoredRequest = {
    method: request.method,
    path: request.pathAndSearch,
    ...(request.contentType ? { contentType: request.contentType } : {}),
    ...(request.body.length ? { body: redactBody(request.body, request.contentType) } : {}),
  };
  return { request: req, primary: storedAnswer(primary, comparedHeaders), shadow: storedAnswer(shadow, comparedHeaders) };
}

export function storedAnswer(r: CapturedResponse, comparedHeaders: readonly string[]): StoredAnswer {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', ...comparedHeaders]) {
    const v = headerValue(r.headers[name]);
    if (v !== undefined && !SECRET_KEY.test(name)) headers[name] = v;
  }
  const text = r.body.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(r.body);
  return { status: r.status, headers, body: utf8 ? text : r.body.toString('base64'), encoding: utf8 ? 'utf8' : 'base64' };
}

/** Turns a stored answer back into what the diff function takes. */
export function capturedFromStored(a: StoredAnswer): CapturedResponse {
  return { status: a.status, headers: a.headers, body: Buffer.from(a.body, a.encoding) };
}

function redactBody(body: Buffer, contentType: string | undefined): string {
  const text = body.toString('utf8');
  if (isJsonMediaType(contentType)) {
    try {
      return JSON.stringify(JSON.parse(text, (key, value: unknown) => (key && SECRET_KEY.test(key) ? REDACTED : value)));
    } catch {
      return REDACTED;
    }
  }
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    for (const key of [...form.keys()]) if (SECRET_KEY.test(key)) form.set(key, REDACTED);
    return form.toString();
  }
  return `[${body.length} bytes of ${contentType || 'unknown type'}, not kept]`;
}
