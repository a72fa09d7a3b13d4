import type { Readable } from 'node:stream';

export interface TeedBody {
  /** Up to `maxBytes` of the stream, in order. */
  readonly body: Buffer;
  /** The stream carried more than `maxBytes`; `body` is its beginning. */
  readonly truncated: boolean;
  /** Bytes seen in all. */
  readonly bytes: number;
  /** The stream ended normally (false: it was aborted or failed). */
  readonly complete: boolean;
}

/**
 * Copies the first `maxBytes` of a stream that is about to be piped elsewhere, without
 * consuming it: the stream is paused first, so listening does not start the flow, and the
 * pipe that follows resumes it for both readers. Call it before the stream is piped (for a
 * request: in `beforeForward`; for an upstream response: in `onResponseHeaders`).
 *
 * @example
 * const copy = teeStream(ctx.req, 64 * 1024); // resolves once the body has passed through
 */
export function teeStream(stream: Readable, maxBytes: number): Promise<TeedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    let settled = false;
    const finish = (complete: boolean) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve({ body: Buffer.concat(chunks, kept), truncated: bytes > kept, bytes, complete });
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (kept < maxBytes) {
        const part = buf.length <= maxBytes - kept ? buf : buf.subarray(0, maxBytes - kept);
        chunks.push(part);
        kept += part.length;
      }
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(stream.readableEnded);
    if (stream.readableEnded) {
      finish(true);
      return;
    }
    if (!stream.readableFlowing) stream.pause();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}
