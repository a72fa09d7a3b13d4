/** One step into a JSON value: an object key or an array index. */
export type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Renders a path the way reports show it: `$`, `$.user.name`, `$[3].email`, and keys that
 * are not identifiers quoted (`$["content type"]`), so every path reads back unambiguously.
 */
export function formatPath(segments: readonly Segment[]): string {
  let out = '$';
  for (const s of segments) out += formatSegment(s);
  return out;
}

export function formatSegment(segment: Segment): string {
  if (typeof segment === 'number') return `[${segment}]`;
  return IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
}

/**
 * The same path with every array index replaced by `[*]`: `$[3].email` → `$[*].email`.
 * Reports group differences by it, and learned noise is stored in this form so a noisy
 * field is recognised in every element of a list, not only at the index first seen.
 */
export function generalizePath(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}
