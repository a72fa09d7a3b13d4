import type { IncomingMessage } from 'node:http';

export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; status: 400 | 413; message: string };

/**
 * The JSON object a proxy call carries. The app may have parsed it already (express.json()
 * mounted before the adapter); otherwise it is read here, bounded, since the adapter cannot
 * rely on any body parser being there. An empty body is `{}`.
 */
export async function readJsonBody(req: IncomingMessage & { body?: unknown }, maxBytes: number): Promise<JsonBody> {
  if (req.readableEnded || req.body !== undefined) {
    const body: unknown = req.body ?? {};
    return isObject(body) ? { ok: true, value: body } : { ok: false, status: 400, message: 'the body must be a JSON object' };
  }
  // Events, not for-await: leaving a for-await early destroys the socket, and the 413 could not be sent.
  const chunks = await new Promise<Buffer[] | undefined>((resolve, reject) => {
    const got: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      if (!over) got.push(chunk);
    });
    req.once('end', () => resolve(over ? undefined : got));
    req.once('error', reject);
  });
  if (!chunks) return { ok: false, status: 413, message: `the body is larger than ${maxBytes} bytes` };
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, status: 400, message: `the body is not JSON (${(err as Error).message})` };
  }
  return isObject(parsed) ? { ok: true, value: parsed } : { ok: false, status: 400, message: 'the body must be a JSON object' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
