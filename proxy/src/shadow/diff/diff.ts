import { createHash } from 'node:crypto';
import { DifferenceList, DEFAULT_MAX_DIFFERENCES, type Difference } from './difference.js';
import { compileIgnore, eitherMatcher, IGNORE_NOTHING, type IgnoreMatcher } from './ignore-pattern.js';
import { diffJson } from './json-diff.js';
import { isJsonMediaType, normalizeMediaType } from './media-type.js';
import { firstTextDifference } from './text-diff.js';

/** One side's answer as captured: headers as node gives them (lower-case names). */
export interface CapturedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  /** Defaults to the content-type header. */
  readonly contentType?: string;
  readonly body: Buffer;
}

export interface DiffOptions {
  /** Ignore patterns for JSON fields (grammar in ignore-pattern.ts). */
  readonly ignore?: readonly string[];
  /** true: arrays are multisets everywhere; a list of patterns: only the arrays they name. */
  readonly unordered?: boolean | readonly string[];
  /** Response headers to compare (case-insensitive); none by default. */
  readonly headers?: readonly string[];
  /** Differences kept in full; the rest are only counted. */
  readonly maxDifferences?: number;
}

export interface DiffResult {
  readonly match: boolean;
  readonly differences: readonly Difference[];
  /** Differences found beyond `maxDifferences` ("+N more"). */
  readonly omitted: number;
}

/** Extra, changing exclusions for one comparison: a route's learned noise. */
export interface Exclusions {
  /** JSON fields to leave out. */
  readonly json?: IgnoreMatcher;
  /** Non-JSON paths to leave out (`body`, `header:etag`). */
  readonly paths?: ReadonlySet<string>;
}

export interface Differ {
  readonly options: Readonly<DiffOptions>;
  diff(primary: CapturedResponse, shadow: CapturedResponse, exclude?: Exclusions): DiffResult;
}

export type CreateDifferResult = { ok: true; differ: Differ } | { ok: false; errors: string[] };

/**
 * Checks the options once (bad ignore patterns come back as errors, each naming the
 * pattern) and returns a differ to reuse for every comparison of a route.
 *
 * @example
 * const r = createDiffer({ ignore: ['created_at', '$[*].id'], unordered: true });
 * if (r.ok) r.differ.diff(primaryAnswer, shadowAnswer).differences;
 * // → [{ path: '$[3].email', kind: 'changed', primary: 'a@x', shadow: 'b@x' }]
 */
export function createDiffer(options: DiffOptions = {}): CreateDifferResult {
  const ignore = compileIgnore(options.ignore ?? []);
  const unorderedList = Array.isArray(options.unordered) ? compileIgnore(options.unordered) : undefined;
  const errors = [...(ignore.ok ? [] : ignore.errors), ...(unorderedList && !unorderedList.ok ? unorderedList.errors : [])];
  if (!ignore.ok || (unorderedList && !unorderedList.ok)) return { ok: false, errors };
  const unordered = unorderedList?.ok ? unorderedList.matcher : options.unordered === true;
  const headers = [...new Set((options.headers ?? []).map((h) => h.toLowerCase()))];
  const max = options.maxDifferences ?? DEFAULT_MAX_DIFFERENCES;
  const frozen = Object.freeze({ ...options });

  return {
    ok: true,
    differ: {
      options: frozen,
      diff(primary, shadow, exclude = {}) {
        const out = new DifferenceList(max, (path) => exclude.paths?.has(path) ?? false);
        if (primary.status !== shadow.status) out.add('status', 'changed', primary.status, shadow.status);
        const pType = contentTypeOf(primary);
        const sType = contentTypeOf(shadow);
        if (normalizeMediaType(pType) !== normalizeMediaType(sType)) {
          out.add('content-type', pType && sType ? 'changed' : pType ? 'missing' : 'added', pType || undefined, sType || undefined);
        }
        for (const name of headers) {
          const p = headerValue(primary.headers[name]);
          const s = headerValue(shadow.headers[name]);
          if (p !== s) out.add(`header:${name}`, p === undefined ? 'added' : s === undefined ? 'missing' : 'changed', p, s);
        }
        diffBodies(primary, shadow, pType, sType, { ignore: eitherMatcher(ignore.matcher, exclude.json ?? IGNORE_NOTHING), unordered }, out);
        return { match: out.size === 0, differences: out.items, omitted: out.omitted };
      },
    },
  };
}

/**
 * One comparison with options given inline; for tools and tests. A bad ignore pattern
 * here is a programming error and throws; configuration goes through createDiffer.
 */
export function diffResponses(primary: CapturedResponse, shadow: CapturedResponse, options: DiffOptions = {}): DiffResult {
  const r = createDiffer(options);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.differ.diff(primary, shadow);
}

function diffBodies(
  primary: CapturedResponse,
  shadow: CapturedResponse,
  pType: string,
  sType: string,
  json: Parameters<typeof diffJson>[2],
  out: DifferenceList,
): void {
  // The same bytes have no differences however they parse (the common case once a route
  // matches): no parse, no walk, none of their garbage on the proxy's thread.
  if (primary.body.equals(shadow.body)) return;
  if (isJsonMediaType(pType) && isJsonMediaType(sType)) {
    const a = parseJson(primary.body);
    const b = parseJson(shadow.body);
    if (a.ok && b.ok) {
      diffJson(a.value, b.value, json, out);
      return;
    }
  }
  if (isText(pType) && isText(sType)) {
    const d = firstTextDifference(primary.body.toString('utf8'), shadow.body.toString('utf8'));
    if (d) out.add('body', 'changed', `at char ${d.at}: ${d.primary}`, `at char ${d.at}: ${d.shadow}`);
    return;
  }
  out.add('body', 'changed', describeBinary(primary.body), describeBinary(shadow.body));
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function contentTypeOf(r: CapturedResponse): string {
  return r.contentType ?? headerValue(r.headers['content-type']) ?? '';
}

/** A header as one string, as node gives it (repeated values joined with ", "). */
export function headerValue(v: string | string[] | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function isText(contentType: string): boolean {
  const media = normalizeMediaType(contentType).split(';')[0] ?? '';
  return media === '' || media.startsWith('text/') || isJsonMediaType(media) || /(xml|javascript|x-www-form-urlencoded|yaml|csv)/.test(media);
}

function describeBinary(body: Buffer): string {
  return `${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;
}
