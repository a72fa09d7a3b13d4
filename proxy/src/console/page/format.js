// How figures read on screen. A missing figure is a dash, never a zero.

export const DASH = '–';

export function rate(perSecond) {
  if (perSecond === null || perSecond === undefined) return DASH;
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(perSecond >= 10 ? 1 : 2)}/s`;
}

/** A fraction (0..1) as a percentage. */
export function percentOf(fraction, digits = 1) {
  if (fraction === null || fraction === undefined) return DASH;
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** A percentage that is already 0..100. */
export function percent(value, digits = 1) {
  if (value === null || value === undefined) return DASH;
  return `${Number(value).toFixed(digits).replace(/\.0+$/, '')} %`;
}

export function ms(value) {
  if (value === null || value === undefined) return DASH;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ms`;
}

/** `1 request`, `3 requests`. */
export function plural(n, word) {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function count(n) {
  return n === null || n === undefined ? DASH : Number(n).toLocaleString('en');
}

/** An ISO time as local clock time, with the date when it is not today. */
export function when(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** A gate's figure: rates (0..1) as percentages, ratios as ×N, counts as they are. */
export function gateValue(name, value) {
  if (value === null || value === undefined) return DASH;
  if (/ratio|latency|p9/i.test(name)) return `×${Number(value).toFixed(2)}`;
  if (/count|critical/i.test(name)) return count(value);
  return value <= 1 ? percentOf(value, 2) : String(value);
}
