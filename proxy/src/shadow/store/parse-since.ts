const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export type SinceResult = { ok: true; at: number } | { ok: false; reason: string };

/**
 * `--since` as a person writes it: a duration back from now (`90s`, `15m`, `1h`, `2d`,
 * `1w`) or a date/time (`2026-11-25`, `2026-11-25T10:00:00Z`).
 */
export function parseSince(text: string, now: number): SinceResult {
  const s = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(s);
  if (m) return { ok: true, at: now - Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number) };
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const at = Date.parse(s);
    if (!Number.isNaN(at)) return { ok: true, at };
  }
  return { ok: false, reason: `since "${text}" is not a duration (30s, 15m, 1h, 2d, 1w) or an ISO date (2026-11-25T10:00:00Z)` };
}
