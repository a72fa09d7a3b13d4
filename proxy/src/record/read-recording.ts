import { z } from 'zod';
import { RECORDING_FORMAT, type RecordedExchange, type RecordingFooter, type RecordingHeader } from './recording-format.js';

const headers = z.record(z.string(), z.string());
const body = {
  encoding: z.enum(['json', 'text', 'base64', 'none']),
  body: z.unknown(),
  truncated: z.boolean(),
};
const headerSchema = z.object({
  recording: z.literal(RECORDING_FORMAT),
  id: z.string(),
  route: z.string(),
  startedAt: z.string(),
  limits: z.object({ bodyBytes: z.number(), fileBytes: z.number(), exchanges: z.number().nullable(), durationMs: z.number().nullable() }),
  redacted: z.array(z.string()),
});
const exchangeSchema = z.object({
  seq: z.number().int().min(1),
  at: z.string(),
  offsetMs: z.number(),
  durationMs: z.number(),
  user: z.string().nullable(),
  route: z.string().optional(),
  method: z.string().min(1),
  path: z.string().startsWith('/'),
  query: z.string(),
  backend: z.string(),
  request: z.object({ headers, ...body }),
  response: z.object({ status: z.number().int().min(100).max(599), headers, ...body }),
});
const footerSchema = z.object({
  end: z.literal(true),
  endedAt: z.string(),
  reason: z.enum(['duration', 'count', 'size', 'stopped', 'closed', 'error']),
  exchanges: z.number().int().min(0),
  skipped: z.number().int().min(0),
});

export type ReadRecording =
  | { readonly ok: true; readonly header: RecordingHeader; readonly exchanges: readonly RecordedExchange[]; readonly footer: RecordingFooter; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

const MAX_ERRORS = 20;

/**
 * Reads a recording (recording-format.ts) and checks all of it before anything uses it: a
 * file cut short, a line edited by hand, an exchange missing or out of order is an error
 * naming its line (`users.jsonl:14: request.encoding: …`), so nothing half-read is replayed.
 * Exchanges whose bodies were too long to keep are warnings: they cannot be sent as they were.
 */
export function readRecording(text: string, source: string): ReadRecording {
  const errors: string[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const at = (n: number, message: string) => `${source}:${n}: ${message}`;
  const parse = <T>(schema: z.ZodType<T>, n: number): T | undefined => {
    let raw: unknown;
    try {
      raw = JSON.parse(lines[n - 1] ?? '');
    } catch (err) {
      errors.push(at(n, `not JSON (${(err as Error).message}): was the file edited or cut?`));
      return undefined;
    }
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    for (const issue of r.error.issues.slice(0, 3)) errors.push(at(n, `${issue.path.join('.') || '(line)'}: ${issue.message}`));
    return undefined;
  };

  if (lines.length === 0) return { ok: false, errors: [`${source}: empty: a recording starts with its header line (strangler record writes one)`] };
  const header = parse(headerSchema, 1);
  const last = lines.length;
  const exchanges: RecordedExchange[] = [];
  let footer: RecordingFooter | undefined;
  for (let n = 2; n <= last && errors.length < MAX_ERRORS; n++) {
    const line = lines[n - 1] ?? '';
    if (n === last && line.startsWith('{"end"')) {
      footer = parse(footerSchema, n);
      break;
    }
    const exchange = parse(exchangeSchema, n);
    if (!exchange) continue;
    const expected = exchanges.length + 1;
    if (exchange.seq !== expected) errors.push(at(n, `seq ${exchange.seq} where ${expected} was expected: an exchange is missing or out of order`));
    if (exchange.request.truncated || exchange.response.truncated) {
      warnings.push(at(n, `${exchange.method} ${exchange.path}: a body was over ${header?.limits.bodyBytes ?? 'the'} bytes and not kept; it is sent without it`));
    }
    exchanges.push(exchange);
  }
  if (!footer && errors.length === 0) errors.push(`${source}:${last}: the closing line is missing: the recording was cut short (or is still being written)`);
  if (footer && footer.exchanges !== exchanges.length) errors.push(at(last, `the closing line counts ${footer.exchanges} exchanges, the file holds ${exchanges.length}`));
  if (!header || !footer || errors.length) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  return { ok: true, header, exchanges, footer, warnings };
}
