import type { Difference } from '../../proxy/src/shadow/index.js';

/** The colour functions a formatter uses (picocolors' createColors() fits). */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const MAX_VALUE_CHARS = 120;

/** A value as a report line shows it: JSON, cut to one readable line. */
export function formatValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/**
 * One difference as lines for a terminal: the path, what happened, and both values
 * (`-` the primary's, `+` the shadow's), like a unified diff.
 */
export function formatDifference(d: Difference, paint: Paint, labels = { primary: 'primary', shadow: 'shadow' }): string[] {
  const what = {
    changed: 'changed',
    type: 'type differs',
    missing: `missing in ${labels.shadow}`,
    added: `only in ${labels.shadow}`,
  }[d.kind];
  const lines = [`${paint.bold(d.path)}  ${paint.dim(what)}`];
  if ('primary' in d) lines.push(paint.red(`  - ${labels.primary}: ${formatValue(d.primary)}`));
  if ('shadow' in d) lines.push(paint.green(`  + ${labels.shadow}: ${formatValue(d.shadow)}`));
  return lines;
}
