import { canonicalJson, jsonEqual } from './canonical-json.js';
import type { DifferenceList } from './difference.js';
import type { IgnoreMatcher } from './ignore-pattern.js';
import { formatPath, type Segment } from './json-path.js';

export interface JsonDiffOptions {
  readonly ignore: IgnoreMatcher;
  /** true: every array is a multiset; a matcher: only arrays at the paths it matches. */
  readonly unordered: boolean | IgnoreMatcher;
}

/** Deeper than this, a subtree is compared whole and reported at the depth reached. */
const MAX_DEPTH = 100;

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

/**
 * Compares two parsed JSON documents and adds each difference, at its path, to `out`.
 * Objects are compared key by key (key order is not a difference); arrays index by index,
 * or as multisets when unordered.
 */
export function diffJson(primary: unknown, shadow: unknown, options: JsonDiffOptions, out: DifferenceList): void {
  walk(primary, shadow, [], 0, options, out);
}

function walk(a: unknown, b: unknown, path: Segment[], depth: number, o: JsonDiffOptions, out: DifferenceList): void {
  if (path.length > 0 && o.ignore.matches(path)) return;
  const ta = jsonType(a);
  const tb = jsonType(b);
  if (ta !== tb) {
    out.add(formatPath(path), 'type', a, b);
    return;
  }
  if (ta !== 'array' && ta !== 'object') {
    if (a !== b) out.add(formatPath(path), 'changed', a, b);
    return;
  }
  if (depth >= MAX_DEPTH) {
    if (!jsonEqual(a, b)) out.add(formatPath(path), 'changed', a, b);
    return;
  }
  if (ta === 'object') {
    walkObject(a as Record<string, unknown>, b as Record<string, unknown>, path, depth, o, out);
  } else if (o.unordered === true || (o.unordered !== false && o.unordered.matches(path))) {
    walkMultiset(a as unknown[], b as unknown[], path, depth, o, out);
  } else {
    walkList(a as unknown[], b as unknown[], path, depth, o, out);
  }
}

function walkObject(a: Record<string, unknown>, b: Record<string, unknown>, path: Segment[], depth: number, o: JsonDiffOptions, out: DifferenceList): void {
  for (const key of Object.keys(a)) {
    const child = [...path, key];
    if (!Object.hasOwn(b, key)) {
      if (!o.ignore.matches(child)) out.add(formatPath(child), 'missing', a[key], undefined);
    } else {
      walk(a[key], b[key], child, depth + 1, o, out);
    }
  }
  for (const key of Object.keys(b)) {
    if (Object.hasOwn(a, key)) continue;
    const child = [...path, key];
    if (!o.ignore.matches(child)) out.add(formatPath(child), 'added', undefined, b[key]);
  }
}

function walkList(a: unknown[], b: unknown[], path: Segment[], depth: number, o: JsonDiffOptions, out: DifferenceList): void {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) walk(a[i], b[i], [...path, i], depth + 1, o, out);
  for (let i = common; i < a.length; i++) {
    if (!o.ignore.matches([...path, i])) out.add(formatPath([...path, i]), 'missing', a[i], undefined);
  }
  for (let i = common; i < b.length; i++) {
    if (!o.ignore.matches([...path, i])) out.add(formatPath([...path, i]), 'added', undefined, b[i]);
  }
}

/**
 * Arrays as multisets: elements equal after ignores (key order aside) cancel out, whatever
 * their positions. What is left is paired by `id` when both sides have one (so a changed
 * field reads `$[2].email`, at the primary's index), and the rest is reported as missing
 * (primary index) or added (shadow index).
 */
function walkMultiset(a: unknown[], b: unknown[], path: Segment[], depth: number, o: JsonDiffOptions, out: DifferenceList): void {
  const skip = (p: readonly Segment[]): boolean => o.ignore.matches(p);
  const waiting = new Map<string, { indices: number[]; next: number }>();
  b.forEach((v, j) => {
    const key = canonicalJson(v, skip, [...path, j]);
    const entry = waiting.get(key);
    if (entry) entry.indices.push(j);
    else waiting.set(key, { indices: [j], next: 0 });
  });
  const unmatchedA: number[] = [];
  a.forEach((v, i) => {
    const entry = waiting.get(canonicalJson(v, skip, [...path, i]));
    if (entry && entry.next < entry.indices.length) entry.next++;
    else unmatchedA.push(i);
  });
  const unmatchedB = [...waiting.values()].flatMap((e) => e.indices.slice(e.next)).sort((x, y) => x - y);
  if (unmatchedA.length === 0 && unmatchedB.length === 0) return;

  const byId = new Map<string, number>();
  for (const j of unmatchedB) {
    const id = identity(b[j], [...path, j], o);
    if (id !== undefined && !byId.has(id)) byId.set(id, j);
  }
  const paired = new Set<number>();
  for (const i of unmatchedA) {
    const id = identity(a[i], [...path, i], o);
    const j = id === undefined ? undefined : byId.get(id);
    if (j !== undefined && !paired.has(j)) {
      paired.add(j);
      walk(a[i], b[j], [...path, i], depth + 1, o, out);
    } else if (!o.ignore.matches([...path, i])) {
      out.add(formatPath([...path, i]), 'missing', a[i], undefined);
    }
  }
  for (const j of unmatchedB) {
    if (!paired.has(j) && !o.ignore.matches([...path, j])) out.add(formatPath([...path, j]), 'added', undefined, b[j]);
  }
}

function identity(v: unknown, path: Segment[], o: JsonDiffOptions): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, 'id')) return undefined;
  if (o.ignore.matches([...path, 'id'])) return undefined;
  const id = (v as Record<string, unknown>).id;
  return id !== null && typeof id !== 'object' ? `${typeof id}:${String(id)}` : undefined;
}
