import type { CapturedResponse, Differ, Exclusions } from './diff.js';
import { compileIgnore } from './ignore-pattern.js';
import { generalizePath } from './json-path.js';

/**
 * More fields than this differing between two answers of the same backend is not noise:
 * the data changed in between (a write, a list that grew), and learning from it would
 * hide real differences.
 */
const MAX_FIELDS_PER_SAMPLE = 20;

export type NoiseSample = { ok: true; patterns: string[] } | { ok: false; reason: string };

/**
 * What differs between two answers the primary gave to the same request: those fields
 * carry no signal (timestamps, nonces, request ids). Paths come back generalised
 * (`$[*].nonce`). Samples that look like changed data rather than noise are refused:
 * another status or content type, a list that changed length, whole array elements, or
 * too many fields at once.
 */
export function sampleNoise(first: CapturedResponse, second: CapturedResponse, differ: Differ): NoiseSample {
  const r = differ.diff(first, second);
  if (r.match) return { ok: true, patterns: [] };
  const patterns = new Set<string>();
  for (const d of r.differences) {
    if (d.path === 'status' || d.path === 'content-type') return { ok: false, reason: `the primary answered with another ${d.path}` };
    if (d.path.endsWith(']') && (d.kind === 'missing' || d.kind === 'added')) return { ok: false, reason: 'a list changed length between the two answers' };
    if (d.path === '$' || /\[\d+\]$/.test(d.path)) return { ok: false, reason: 'whole list elements differ' };
    patterns.add(generalizePath(d.path));
  }
  if (r.omitted > 0 || patterns.size > MAX_FIELDS_PER_SAMPLE) return { ok: false, reason: 'too many fields differ to be noise' };
  return { ok: true, patterns: [...patterns] };
}

export interface NoiseEntry {
  readonly route: string;
  readonly pattern: string;
  /** Samples in which the field differed. */
  readonly hits: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface NoiseBookOptions {
  /** Samples a field must differ in before it is left out of comparisons. */
  readonly minHits?: number;
  /** Learned fields kept per route; beyond it new ones are not learned. */
  readonly maxPerRoute?: number;
}

const EMPTY: Exclusions = Object.freeze({});

/** Samples a field must differ in before it counts as noise. */
export const NOISE_MIN_HITS = 2;

/**
 * Learned noise per route, in memory (loaded from and saved to diffs.db by the caller).
 * A field becomes noise once it differed in `minHits` samples (default 2), so one
 * write between two reads does not teach the wrong lesson.
 */
export class NoiseBook {
  private readonly routes = new Map<string, Map<string, NoiseEntry>>();
  private readonly cache = new Map<string, Exclusions>();
  private readonly minHits: number;
  private readonly maxPerRoute: number;

  constructor(entries: readonly NoiseEntry[] = [], options: NoiseBookOptions = {}) {
    this.minHits = options.minHits ?? NOISE_MIN_HITS;
    this.maxPerRoute = options.maxPerRoute ?? 50;
    for (const e of entries) this.table(e.route).set(e.pattern, e);
  }

  /** Records one sample's patterns; returns the entries that changed, for saving. */
  observe(route: string, patterns: readonly string[], at: number): NoiseEntry[] {
    const table = this.table(route);
    const changed: NoiseEntry[] = [];
    for (const pattern of patterns) {
      const old = table.get(pattern);
      if (!old && table.size >= this.maxPerRoute) continue;
      const entry: NoiseEntry = { route, pattern, hits: (old?.hits ?? 0) + 1, firstAt: old?.firstAt ?? at, lastAt: at };
      table.set(pattern, entry);
      changed.push(entry);
      if (entry.hits === this.minHits) this.cache.delete(route);
    }
    return changed;
  }

  /** What to leave out of a comparison on this route. */
  exclusions(route: string): Exclusions {
    const cached = this.cache.get(route);
    if (cached) return cached;
    const active = this.active(route).map((e) => e.pattern);
    let result = EMPTY;
    if (active.length > 0) {
      const json = compileIgnore(active.filter((p) => p.startsWith('$')));
      result = {
        ...(json.ok ? { json: json.matcher } : {}),
        paths: new Set(active.filter((p) => !p.startsWith('$'))),
      };
    }
    this.cache.set(route, result);
    return result;
  }

  /** Fields that count as noise now (hits ≥ minHits), for reports. */
  active(route?: string): NoiseEntry[] {
    const tables = route === undefined ? [...this.routes.values()] : [this.routes.get(route) ?? new Map<string, NoiseEntry>()];
    return tables.flatMap((t) => [...t.values()]).filter((e) => e.hits >= this.minHits);
  }

  private table(route: string): Map<string, NoiseEntry> {
    let t = this.routes.get(route);
    if (!t) this.routes.set(route, (t = new Map()));
    return t;
  }
}
