import { s } from './dom.js';

const W = 120;
const H = 28;

/**
 * An inline SVG line of `values` over fixed time slots (null: no figure for that slot, the
 * line breaks there). The scale starts at zero so a flat line at the bottom means none.
 * `label` is what a screen reader hears instead of the picture.
 */
export function sparkline(values, label) {
  const max = Math.max(0, ...values.filter((v) => v !== null));
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const y = (v) => (max > 0 ? H - 2 - (v / max) * (H - 4) : H - 2);
  const runs = [];
  let run = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else {
      run.push(`${(i * step).toFixed(1)},${y(v).toFixed(1)}`);
    }
  });
  if (run.length) runs.push(run);
  return s('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    s('title', {}, label),
    s('line', { class: 'base', x1: 0, y1: H - 1, x2: W, y2: H - 1 }),
    runs.map((points) => points.length === 1
      ? s('circle', { cx: points[0].split(',')[0], cy: points[0].split(',')[1], r: 1.5 })
      : s('polyline', { points: points.join(' ') })));
}

/**
 * The stats series laid on the slots of the last `spanMs` (empty slots count as no
 * requests), so every sparkline of a page shares one time axis.
 */
export function slots(series, now, bucketMs, spanMs) {
  const n = Math.max(1, Math.round(spanMs / bucketMs));
  const last = Math.floor(now / bucketMs) * bucketMs;
  const first = last - (n - 1) * bucketMs;
  const byT = new Map((series ?? []).map((p) => [Math.floor(p.t / bucketMs) * bucketMs, p]));
  return Array.from({ length: n }, (_, i) => byT.get(first + i * bucketMs) ?? null);
}
