import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

const decoders = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export type DecodeResult = { ok: true; body: Buffer } | { ok: false; reason: string };

/**
 * The body as the backend meant it, whatever content-encoding it was sent with, so a
 * gzipped answer and a plain one compare by content. Decoding runs on libuv's pool and
 * its output is capped (a small body may inflate to a huge one).
 */
export async function decodeBody(body: Buffer, contentEncoding: string | string[] | undefined, maxBytes: number): Promise<DecodeResult> {
  const encoding = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity' || body.length === 0) return { ok: true, body };
  const decode = decoders[encoding as keyof typeof decoders];
  if (!decode) return { ok: false, reason: `content-encoding "${encoding}" is not supported` };
  try {
    return { ok: true, body: await decode(body, { maxOutputLength: maxBytes }) };
  } catch (err) {
    return { ok: false, reason: `could not decode ${encoding}: ${(err as Error).message}` };
  }
}
