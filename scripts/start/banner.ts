/**
 * A framed block of label/value rows, so the URL to open stands out among the log lines.
 * Widths count characters (the content is ASCII plus the box itself).
 */
export function banner(title: string, rows: readonly (readonly [string, string])[]): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const lines = [title, '', ...rows.map(([label, value]) => `${label.padEnd(labelWidth)}  ${value}`)];
  const width = Math.max(...lines.map((l) => l.length));
  const edge = '─'.repeat(width + 4);
  return [`┌${edge}┐`, ...lines.map((l) => `│  ${l.padEnd(width)}  │`), `└${edge}┘`].join('\n');
}
