import type { Segment } from './json-path.js';

/**
 * Ignore patterns name JSON fields left out of a comparison.
 *
 *   created_at          the key `created_at` at any depth
 *   *.updated_at        `updated_at` under any one step (the document root counts as one)
 *   items.*.ts          `ts` of any child of any `items`
 *   $[*].id             `id` of each element of a top-level array (anchored at the root)
 *   $.items[*].ts       anchored; `[3]` names one index, `[*]` or `.*` any one step
 *   $..etag, **.etag    `**` (or `..`) is any number of steps, none included
 *   $["odd key"].x      keys that are not plain names are quoted, as reports print them
 *
 * A pattern that does not start with `$` matches at any depth. A pattern that matches a
 * field also covers everything below it.
 */
export type IgnorePattern = readonly Token[];

export type Token =
  | { readonly t: 'key'; readonly v: string }
  | { readonly t: 'index'; readonly v: number }
  | { readonly t: 'any' }
  | { readonly t: 'deep' };

export type ParseResult = { ok: true; tokens: IgnorePattern } | { ok: false; reason: string };

const ROOT = Symbol('root');
type Step = Segment | typeof ROOT;
const DEEP: Token = { t: 'deep' };
const ANY: Token = { t: 'any' };
const MAX_TOKENS = 32;
const EXAMPLES = 'examples: "created_at", "*.updated_at", "$[*].id", "$.items[*].ts"';

/** Parses one pattern; a bad one comes back as a reason that shows the grammar by example. */
export function parseIgnorePattern(pattern: string): ParseResult {
  const fail = (why: string): ParseResult => ({ ok: false, reason: `ignore pattern ${JSON.stringify(pattern)}: ${why} (${EXAMPLES})` });
  if (typeof pattern !== 'string' || pattern.trim() === '') return fail('is empty');
  const s = pattern.trim();
  const tokens: Token[] = [];
  const absolute = s.startsWith('$');
  let i = absolute ? 1 : 0;

  const readName = (): string => {
    const start = i;
    while (i < s.length && s[i] !== '.' && s[i] !== '[') {
      if (s[i] === ']') return '';
      i++;
    }
    return s.slice(start, i);
  };
  const pushName = (name: string): void => {
    tokens.push(name === '**' ? DEEP : name === '*' ? ANY : { t: 'key', v: name });
  };
  const readBracket = (): string | undefined => {
    const close = findClose(s, i);
    if (close < 0) return 'has a "[" without its "]"';
    const inner = s.slice(i + 1, close).trim();
    i = close + 1;
    if (inner === '*') tokens.push(ANY);
    else if (/^\d+$/.test(inner)) tokens.push({ t: 'index', v: Number(inner) });
    else if (/^".*"$/s.test(inner)) {
      try { tokens.push({ t: 'key', v: JSON.parse(inner) as string }); } catch { return `has a badly quoted key ${inner}`; }
    } else if (/^'.*'$/s.test(inner)) tokens.push({ t: 'key', v: inner.slice(1, -1) });
    else return `"[${inner}]" is not an index, [*] or a quoted key`;
    return undefined;
  };

  if (!absolute) {
    if (s[0] === '[') {
      const err = readBracket();
      if (err) return fail(err);
    } else if (s[0] !== '.') {
      const name = readName();
      if (!name) return fail('starts with an empty key');
      pushName(name);
    }
  }
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      if (s[i + 1] === '.') {
        tokens.push(DEEP);
        i += 2;
        if (s[i] === '[') continue;
      } else {
        i++;
      }
      const name = readName();
      if (!name) return fail(`has an empty key at character ${i + 1}`);
      pushName(name);
    } else if (c === '[') {
      const err = readBracket();
      if (err) return fail(err);
    } else {
      return fail(`unexpected "${c}" at character ${i + 1}`);
    }
  }
  if (tokens.length > MAX_TOKENS) return fail(`has more than ${MAX_TOKENS} steps`);
  if (absolute && tokens.length === 0) return fail('"$" alone would ignore the whole body');
  const collapsed = tokens.filter((tok, k) => !(tok.t === 'deep' && tokens[k - 1]?.t === 'deep'));
  return { ok: true, tokens: absolute ? collapsed : collapsed[0]?.t === 'deep' ? collapsed : [DEEP, ...collapsed] };
}

function findClose(s: string, open: number): number {
  let quote: string | undefined;
  for (let k = open + 1; k < s.length; k++) {
    const c = s[k];
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return k;
  }
  return -1;
}

/** A compiled set of patterns; `matches` is asked for every JSON node the diff visits. */
export interface IgnoreMatcher {
  readonly patterns: readonly string[];
  matches(path: readonly Segment[]): boolean;
}

export type CompileResult = { ok: true; matcher: IgnoreMatcher } | { ok: false; errors: string[] };

/** Compiles many patterns at once; every bad one is reported, not only the first. */
export function compileIgnore(patterns: readonly string[] = []): CompileResult {
  const compiled: { tokens: IgnorePattern; absolute: boolean }[] = [];
  const errors: string[] = [];
  for (const p of patterns) {
    const r = parseIgnorePattern(p);
    if (r.ok) compiled.push({ tokens: r.tokens, absolute: String(p).trim().startsWith('$') });
    else errors.push(r.reason);
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    matcher: {
      patterns: [...patterns],
      matches(path) {
        if (compiled.length === 0) return false;
        const rooted: Step[] = [ROOT, ...path];
        return compiled.some((c) => (c.absolute ? matchFrom(c.tokens, 0, path, 0) : matchFrom(c.tokens, 0, rooted, 0)));
      },
    },
  };
}

/** An empty matcher, for callers with nothing to ignore. */
export const IGNORE_NOTHING: IgnoreMatcher = { patterns: [], matches: () => false };

/** Either of two matchers: configured ignores plus learned noise. */
export function eitherMatcher(a: IgnoreMatcher, b: IgnoreMatcher): IgnoreMatcher {
  if (b.patterns.length === 0) return a;
  if (a.patterns.length === 0) return b;
  return { patterns: [...a.patterns, ...b.patterns], matches: (p) => a.matches(p) || b.matches(p) };
}

function matchFrom(tokens: IgnorePattern, ti: number, steps: readonly Step[], si: number): boolean {
  if (ti === tokens.length) return si === steps.length;
  const tok = tokens[ti] as Token;
  if (tok.t === 'deep') {
    for (let k = si; k <= steps.length; k++) if (matchFrom(tokens, ti + 1, steps, k)) return true;
    return false;
  }
  if (si === steps.length) return false;
  const step = steps[si];
  const ok = tok.t === 'any' || (tok.t === 'key' ? step === tok.v : step === tok.v);
  return ok && matchFrom(tokens, ti + 1, steps, si + 1);
}
