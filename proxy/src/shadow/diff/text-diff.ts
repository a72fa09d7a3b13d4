const CONTEXT = 40;

export interface TextDifference {
  /** Offset of the first differing character. */
  readonly at: number;
  readonly primary: string;
  readonly shadow: string;
}

/**
 * Where two texts first differ, with a short excerpt of each around that place; undefined
 * when they are equal. Cheap on big bodies: one scan, excerpts of fixed size.
 */
export function firstTextDifference(a: string, b: string): TextDifference | undefined {
  if (a === b) return undefined;
  const n = Math.min(a.length, b.length);
  let at = 0;
  while (at < n && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  const from = Math.max(0, at - CONTEXT);
  const excerpt = (s: string): string => {
    if (at >= s.length) return `${from > 0 ? '…' : ''}${s.slice(from)}⟨end, ${s.length} chars⟩`;
    const end = Math.min(s.length, at + CONTEXT);
    return `${from > 0 ? '…' : ''}${s.slice(from, end)}${end < s.length ? '…' : ''}`;
  };
  return { at, primary: excerpt(a), shadow: excerpt(b) };
}
