import { request as httpRequest, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { networkErrorKind } from '../../network-error-kind.js';
import type { ShadowErrorKind } from '../store/diff-record.js';
import type { CapturedResponse } from '../diff/diff.js';

export interface CopyRequest {
  /** Backend origin. */
  readonly origin: URL;
  readonly method: string;
  /** Path and query, as the client sent them to the proxy. */
  readonly pathAndSearch: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly timeoutMs: number;
  /** Answers longer than this are abandoned (`oversized`). */
  readonly maxBytes: number;
  readonly agent: Agent | undefined;
}

export type CopyResult =
  | { ok: true; answer: CapturedResponse & { readonly headers: IncomingHttpHeaders }; ms: number }
  | { ok: false; error: ShadowErrorKind; detail: string; ms: number };

/** A copy's own deadline and size cap, then the network codes of the one table primaries use too. */
export function copyErrorKind(code: string | undefined): ShadowErrorKind {
  if (code === 'SHADOW_TIMEOUT') return 'timeout';
  if (code === 'SHADOW_OVERSIZED') return 'oversized';
  return networkErrorKind(code);
}
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Sends one copy of a request and reads the whole answer, within its own deadline and
 * size cap. Never rejects: every failure is a value naming its kind. A keep-alive socket
 * that the backend closed while idle resets before any answer; an idempotent copy is then
 * sent once more on a fresh socket, as the proxy does for primaries.
 */
export async function sendCopy(copy: CopyRequest): Promise<CopyResult> {
  const started = performance.now();
  const first = await attempt(copy, started);
  if (first.retry && IDEMPOTENT.has(copy.method)) return (await attempt(copy, started)).result;
  return first.result;
}

function attempt(copy: CopyRequest, started: number): Promise<{ result: CopyResult; retry: boolean }> {
  return new Promise((resolve) => {
    const send = copy.origin.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    let answered = false;
    const done = (result: CopyResult, retry = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ result, retry });
    };
    const fail = (err: NodeJS.ErrnoException) => {
      const kind = copyErrorKind(err.code);
      const retry = !answered && kind === 'reset' && req.reusedSocket;
      done({ ok: false, error: kind, detail: err.message, ms: performance.now() - started }, retry);
    };
    const req = send(
      {
        protocol: copy.origin.protocol,
        hostname: copy.origin.hostname,
        port: copy.origin.port,
        method: copy.method,
        path: copy.pathAndSearch,
        headers: { ...copy.headers, 'content-length': String(copy.body.length) },
        agent: copy.agent,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > copy.maxBytes) {
            abort(coded(`answer over ${copy.maxBytes} bytes`, 'SHADOW_OVERSIZED'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => done({
          ok: true,
          answer: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, bytes) },
          ms: performance.now() - started,
        }));
        res.on('error', fail);
        res.on('aborted', () => fail(coded('the answer was cut short', 'ECONNRESET')));
      },
    );
    // Settle first, then destroy: the destroy's own events must not relabel the cause.
    const abort = (err: NodeJS.ErrnoException) => {
      fail(err);
      req.destroy();
    };
    const timer = setTimeout(() => abort(coded(`no complete answer within ${copy.timeoutMs} ms`, 'SHADOW_TIMEOUT')), copy.timeoutMs);
    req.on('error', fail);
    req.end(copy.body.length > 0 ? copy.body : undefined);
  });
}

function coded(message: string, code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}
