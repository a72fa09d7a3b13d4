import { z } from 'zod';
import { diffResponses, type DiffOptions } from './diff.js';
import type { Difference } from './difference.js';
import type { StoredMismatch } from './diff-queries.js';
import { capturedFromStored } from './stored-exchange.js';

const answer = z.object({
  backend: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  encoding: z.enum(['utf8', 'base64']),
});
const difference = z.object({
  path: z.string(),
  kind: z.enum(['changed', 'missing', 'added', 'type']),
  primary: z.unknown().optional(),
  shadow: z.unknown().optional(),
});

/** One recorded exchange, replayed by test/shadow-fixtures.test.ts. */
export const fixtureSchema = z.object({
  fixture: z.literal(1),
  name: z.string(),
  route: z.string(),
  recordedAt: z.string(),
  requestId: z.string().nullable(),
  /** `differ`: the recorded differences must still be found; `match`: no difference may be. */
  expect: z.enum(['differ', 'match']),
  /** Comparison options; with useRoutesFile, the route's shadow options in routes.yaml are added. */
  options: z.object({
    ignore: z.array(z.string()).default([]),
    unordered: z.union([z.boolean(), z.array(z.string())]).default(false),
    headers: z.array(z.string()).default([]),
  }),
  useRoutesFile: z.boolean().default(true),
  request: z.object({ method: z.string(), path: z.string(), contentType: z.string().optional(), body: z.string().optional() }),
  primary: answer,
  shadow: answer,
  differences: z.array(difference),
});
export type DiffFixture = z.infer<typeof fixtureSchema>;

export type FixtureParse = { ok: true; fixture: DiffFixture } | { ok: false; reason: string };

export function parseFixture(text: string): FixtureParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const r = fixtureSchema.safeParse(raw);
  if (!r.success) return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { ok: true, fixture: r.data };
}

/** A stored mismatch as a fixture that expects the differences it had. */
export function fixtureFromMismatch(m: StoredMismatch, options: DiffOptions = {}): DiffFixture {
  return {
    fixture: 1,
    name: `${m.route}: ${m.exchange.request.method} ${m.exchange.request.path}`,
    route: m.route,
    recordedAt: m.at,
    requestId: m.requestId,
    expect: 'differ',
    options: { ignore: [...(options.ignore ?? [])], unordered: typeof options.unordered === 'object' ? [...options.unordered] : options.unordered ?? false, headers: [...(options.headers ?? [])] },
    useRoutesFile: true,
    request: { ...m.exchange.request },
    primary: { backend: m.primaryBackend, ...m.exchange.primary },
    shadow: { backend: m.shadowBackend, ...m.exchange.shadow },
    differences: m.differences.map((d) => ({ ...d })),
  };
}

/** The options a fixture is replayed with: its own, plus the route's from routes.yaml. */
export function replayOptions(fixture: DiffFixture, route: DiffOptions | undefined): DiffOptions {
  const own = fixture.options;
  if (!fixture.useRoutesFile || !route) return own;
  const unordered = own.unordered === true || route.unordered === true
    ? true
    : [...(Array.isArray(own.unordered) ? own.unordered : []), ...(Array.isArray(route.unordered) ? route.unordered : [])];
  return {
    ignore: [...new Set([...own.ignore, ...(route.ignore ?? [])])],
    unordered: Array.isArray(unordered) && unordered.length === 0 ? false : unordered,
    headers: [...new Set([...own.headers, ...(route.headers ?? [])])],
  };
}

export type ReplayResult = { ok: true; differences: readonly Difference[] } | { ok: false; problem: string; differences: readonly Difference[] };

/**
 * Compares a fixture's two answers again. `match` fixtures must show no difference;
 * `differ` fixtures must show exactly the recorded paths and kinds (so a difference that
 * disappears is noticed too, and the fixture updated to `match`).
 */
export function replayFixture(fixture: DiffFixture, options: DiffOptions): ReplayResult {
  const r = diffResponses(capturedFromStored(fixture.primary), capturedFromStored(fixture.shadow), options);
  const key = (d: Difference) => `${d.kind} ${d.path}`;
  if (fixture.expect === 'match') {
    return r.match ? { ok: true, differences: [] } : { ok: false, problem: `expected the answers to match, but: ${r.differences.map(key).join(', ')}`, differences: r.differences };
  }
  const now = r.differences.map(key).sort();
  const then = fixture.differences.map(key).sort();
  if (now.join('\n') === then.join('\n')) return { ok: true, differences: r.differences };
  if (r.match) return { ok: false, problem: 'the recorded mismatch no longer shows: set "expect": "match" if that is the fix', differences: [] };
  const gone = then.filter((k) => !now.includes(k));
  const fresh = now.filter((k) => !then.includes(k));
  return { ok: false, problem: `differences changed: ${[...gone.map((k) => `no longer ${k}`), ...fresh.map((k) => `now also ${k}`)].join(', ')}`, differences: r.differences };
}
