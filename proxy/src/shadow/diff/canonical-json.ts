import type { Segment } from './json-path.js';

interface SerializeOptions {
  /** Sort object keys, so two objects with the same fields in another order serialise alike. */
  readonly sortKeys: boolean;
  /** Stop once the output passes this many characters (the result then ends with `…`). */
  readonly budget?: number;
  /** Leave out the fields this says to (ignored fields inside unordered array elements). */
  readonly skip?: (path: readonly Segment[]) => boolean;
  readonly base?: readonly Segment[];
}

class Raw {
  constructor(readonly text: string) {}
}
interface Node {
  readonly value: unknown;
  readonly path: readonly Segment[];
}

/**
 * JSON.stringify without recursion: bodies come from backends and may nest deeper than the
 * call stack allows (JSON.parse copes with 200 000 levels, JSON.stringify does not).
 */
function serialize(root: unknown, options: SerializeOptions): string {
  const out: string[] = [];
  let length = 0;
  const emit = (s: string): void => {
    out.push(s);
    length += s.length;
  };
  const stack: (Raw | Node)[] = [{ value: root, path: options.base ?? [] }];
  const tracking = options.skip !== undefined;
  while (stack.length > 0) {
    if (options.budget !== undefined && length > options.budget) {
      return `${out.join('').slice(0, options.budget)}…`;
    }
    const item = stack.pop() as Raw | Node;
    if (item instanceof Raw) {
      emit(item.text);
      continue;
    }
    const { value, path } = item;
    if (Array.isArray(value)) {
      emit('[');
      stack.push(new Raw(']'));
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: tracking ? [...path, i] : path });
        if (i > 0) stack.push(new Raw(','));
      }
    } else if (value !== null && typeof value === 'object') {
      let keys = Object.keys(value);
      if (options.sortKeys) keys = keys.sort();
      if (tracking) keys = keys.filter((k) => !options.skip?.([...path, k]));
      emit('{');
      stack.push(new Raw('}'));
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        stack.push({ value: (value as Record<string, unknown>)[k], path: tracking ? [...path, k] : path });
        stack.push(new Raw(`${JSON.stringify(k)}:`));
        if (i > 0) stack.push(new Raw(','));
      }
    } else {
      emit(value === undefined ? 'null' : JSON.stringify(value));
    }
  }
  return out.join('');
}

/** A canonical text for a JSON value: equal values (key order aside) give equal text. */
export function canonicalJson(value: unknown, skip?: (path: readonly Segment[]) => boolean, base: readonly Segment[] = []): string {
  return serialize(value, { sortKeys: true, skip, base });
}

/** Deep equality of two parsed JSON values, key order aside, at any depth. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}

const PREVIEW_CHARS = 200;

/**
 * The value a report shows for one side of a difference: scalars as they are (long strings
 * cut), small arrays and objects as they are, big ones as a string excerpt, so a row in
 * diffs.db stays small whatever the body held.
 */
export function previewValue(value: unknown, max = PREVIEW_CHARS): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}… (${value.length} chars)` : value;
  if (value === null || typeof value !== 'object') return value;
  const text = serialize(value, { sortKeys: false, budget: max });
  if (!text.endsWith('…')) return value;
  const what = Array.isArray(value) ? `array of ${value.length}` : `object with ${Object.keys(value).length} keys`;
  return `${what}: ${text}`;
}
