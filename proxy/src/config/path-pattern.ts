/**
 * Route path patterns: `/users`, `/users/:id`, `/files/*`, `/users/**`.
 * `:name` and `*` match exactly one segment; a trailing `**` matches one or more
 * segments, so `/users/**` does not match `/users` itself (list both, as routes.yaml does).
 * Literal segments compare case-insensitively, like Express's default routing, so a route
 * moves every request its backend would treat as that route. A trailing slash in a request
 * is ignored (`/users/` matches `/users`), as Express does.
 */
export type PatternSegment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'wildcard' };

export interface PathPattern {
  readonly source: string;
  readonly segments: readonly PatternSegment[];
  /** Ends in `**`: one or more further segments. */
  readonly rest: boolean;
}

const LITERAL = /^[A-Za-z0-9._~!$&'()+,;=@%-]+$/;
const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePattern(source: string): { ok: true; pattern: PathPattern } | { ok: false; reason: string } {
  if (!source.startsWith('/')) return { ok: false, reason: `"${source}" must start with "/"` };
  if (source === '/') return { ok: true, pattern: Object.freeze({ source, segments: Object.freeze([]), rest: false }) };
  if (source.endsWith('/')) return { ok: false, reason: `"${source}" ends with "/": write "${source.replace(/\/+$/, '') || '/'}" (a trailing slash in a request is ignored)` };
  const parts = source.slice(1).split('/');
  const segments: PatternSegment[] = [];
  let rest = false;
  for (const [i, part] of parts.entries()) {
    if (part === '') return { ok: false, reason: `"${source}" has an empty segment ("//")` };
    if (part === '**') {
      if (i !== parts.length - 1) return { ok: false, reason: `"${source}": "**" is only allowed as the last segment` };
      rest = true;
    } else if (part === '*' || PARAM.test(part)) {
      segments.push({ kind: 'wildcard' });
    } else if (part === '.' || part === '..') {
      return { ok: false, reason: `"${source}" has a "${part}" segment` };
    } else if (part.includes('*') || part.startsWith(':')) {
      return { ok: false, reason: `"${source}": segment "${part}" mixes a wildcard with text; use a whole segment (":id", "*" or "**")` };
    } else if (!LITERAL.test(part)) {
      return { ok: false, reason: `"${source}": segment "${part}" has characters a URL path cannot hold unencoded` };
    } else {
      segments.push({ kind: 'literal', value: part.toLowerCase() });
    }
  }
  return { ok: true, pattern: Object.freeze({ source, segments: Object.freeze(segments), rest }) };
}

/** Splits a normalised path into its segments; the root and a trailing slash add none. */
export function pathSegments(path: string): string[] {
  const parts = path.split('/');
  parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function matchPattern(pattern: PathPattern, segments: readonly string[]): boolean {
  const fixed = pattern.segments;
  if (pattern.rest ? segments.length <= fixed.length : segments.length !== fixed.length) return false;
  for (let i = 0; i < fixed.length; i++) {
    const p = fixed[i] as PatternSegment;
    if (p.kind === 'wildcard') continue;
    const s = segments[i] as string;
    if (s !== p.value && (s.length !== p.value.length || s.toLowerCase() !== p.value)) return false;
  }
  return true;
}

/** True when every path `inner` matches is also matched by `outer`. */
export function patternCovers(outer: PathPattern, inner: PathPattern): boolean {
  const k = outer.segments.length;
  if (outer.rest) {
    // inner's shortest path has inner.segments.length (+1 if rest) segments; outer needs k + 1.
    const shortest = inner.segments.length + (inner.rest ? 1 : 0);
    if (shortest < k + 1) return false;
  } else if (inner.rest || inner.segments.length !== k) {
    return false;
  }
  for (let i = 0; i < k; i++) {
    const o = outer.segments[i] as PatternSegment;
    if (o.kind === 'wildcard') continue;
    // Past inner's fixed part lies inner's `**`, which can hold anything: only a wildcard covers it.
    const n = inner.segments[i];
    if (!n || n.kind !== 'literal' || n.value !== o.value) return false;
  }
  return true;
}
