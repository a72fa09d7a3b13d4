/** `90s`, `10m`, `1.5h`, `500ms` → milliseconds; a bare number is seconds. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return { ok: false, reason: `"${text}" is not a duration: write 90s, 10m or 1h` };
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? { ok: true, ms } : { ok: false, reason: `"${text}": a duration must be above 0` };
}
