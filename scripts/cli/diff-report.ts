import Table from 'cli-table3';
import { resolve } from 'node:path';
import { openDiffReader, parseSince } from '../../proxy/src/shadow/index.js';
import type { DiffReport, RouteSummary } from '../../proxy/src/shadow/index.js';
import { defineCommand } from './define-command.js';
import { formatDifference, type Paint } from './format-difference.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { shownPath } from './routes-file.js';

export const usage = `strangler diff-report [--route R] [--since 1h] [--json] [--fail-under PCT] [--file diffs.db]

Summarises the shadow comparisons the proxy recorded: per route how many requests were
shadowed, the share that matched, mismatches, raced comparisons (they differed while a
write went through the proxy: left out of the match rate), shadow errors and dropped
copies; then the paths that differ most, three sample mismatches with both values, and
learned noise.

  --route R          one route only
  --since D          only comparisons since D: 30m, 1h, 2d, or an ISO date
  --json             the same summary as JSON (what GET /__proxy/diffs answers)
  --fail-under PCT   exit 1 when a route's match rate is under PCT (0-100), or it has no
                     comparisons: a gate for a cutover in CI
  --file F           the diffs file (default: DIFFS_PATH, or data/diffs.db)`;

const command = defineCommand({
  name: 'diff-report',
  usage,
  options: {
    route: { type: 'string', short: 'r' },
    since: { type: 'string', short: 's' },
    json: { type: 'boolean' },
    'fail-under': { type: 'string' },
    file: { type: 'string', short: 'f' },
  },
  maxPositionals: 0,
});

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const v = parsed.values;
  let since: number | undefined;
  if (v.since !== undefined) {
    const s = parseSince(v.since, Date.now());
    if (!s.ok) return fail(`--since: ${s.reason}`);
    since = s.at;
  }
  let failUnder: number | undefined;
  if (v['fail-under'] !== undefined) {
    failUnder = Number(String(v['fail-under']).replace(/%$/, ''));
    if (!Number.isFinite(failUnder) || failUnder < 0 || failUnder > 100) return fail(`--fail-under ${v['fail-under']}: give a percentage from 0 to 100`);
  }

  const file = resolve(io.cwd, v.file || io.env.DIFFS_PATH || 'data/diffs.db');
  const reader = openDiffReader(file);
  const report: DiffReport = reader
    ? reader.queries.summary({ ...(v.route ? { route: v.route } : {}), ...(since !== undefined ? { since } : {}) })
    : { generatedAt: new Date().toISOString(), since: since === undefined ? null : new Date(since).toISOString(), routes: [] };
  reader?.close();

  if (v.json) io.out(JSON.stringify(report, null, 2));
  else if (!reader) io.err(c.yellow(`No shadow comparisons yet: ${shownPath(io, file)} does not exist. Add a shadow block to a route in routes.yaml (shadow: { to: new }) and send traffic through the proxy, or point --file or DIFFS_PATH at the proxy's diffs file.`));
  else printReport(io, report, c, shownPath(io, file), v.route);

  if (failUnder === undefined) return EXIT.ok;
  return gate(io, report, failUnder, c, v.route);
}

function printReport(io: CliIo, report: DiffReport, c: Paint & { cyan(s: string): string }, file: string, route: string | undefined): void {
  const window = report.since ? `since ${report.since}` : 'all recorded';
  io.out(c.bold(`Shadow comparisons · ${file} · ${window}`));
  if (report.routes.length === 0) {
    io.out(c.yellow(route ? `No comparisons for route "${route}" in this window.` : 'No comparisons in this window.'));
    return;
  }
  const table = new Table({
    head: ['route', 'shadowed', 'matched', 'mismatched', 'raced', 'shadow errors', 'dropped', 'oversized', 'avg ms (primary / shadow)'],
    style: { head: io.color ? ['cyan'] : [], border: io.color ? ['grey'] : [] },
  });
  for (const r of report.routes) {
    table.push([r.route, r.shadowed, rate(r, c), r.mismatched, r.raced, errors(r), r.dropped, r.oversized, `${ms(r.primaryMsAvg)} / ${ms(r.shadowMsAvg)}`]);
  }
  io.out(table.toString());
  if (report.routes.some((r) => r.raced > 0)) {
    io.out(c.dim('raced: the answers differed while a write went through the proxy, so the backends may have read different data; not counted in matched %.'));
  }
  for (const r of report.routes) {
    if (r.topPaths.length === 0 && r.samples.length === 0 && r.noise.length === 0) continue;
    io.out('');
    io.out(c.bold(`${r.route}`));
    if (r.topPaths.length) {
      io.out('  top differing paths (comparisons where they differ):');
      const width = Math.max(...r.topPaths.map((p) => p.path.length));
      for (const p of r.topPaths) io.out(`    ${p.path.padEnd(width)}  ${p.count}`);
    }
    for (const s of r.samples) {
      io.out(`  ${c.cyan(`${s.method} ${s.path}`)}  ${c.dim(`${s.at}  request ${s.requestId ?? '-'}  ${s.primaryBackend} ${s.primaryStatus ?? '-'} / ${s.shadowBackend} ${s.shadowStatus ?? '-'}`)}`);
      const labels = { primary: s.primaryBackend, shadow: s.shadowBackend };
      for (const d of s.differences.slice(0, 5)) for (const line of formatDifference(d, c, labels)) io.out(`    ${line}`);
      const more = s.differences.length - 5 + s.omitted;
      if (more > 0) io.out(c.dim(`    +${more} more`));
    }
    if (r.noise.length) {
      io.out(`  learned noise (left out of comparisons): ${r.noise.map((n) => `${n.pattern} ${c.dim(`(${n.hits} samples)`)}`).join(', ')}`);
    }
  }
}

function gate(io: CliIo, report: DiffReport, threshold: number, c: Paint, route: string | undefined): number {
  if (report.routes.length === 0) {
    io.err(c.red(`✖ no comparisons${route ? ` for route "${route}"` : ''}: nothing proves a ${threshold} % match`));
    return EXIT.failed;
  }
  const under = report.routes.filter((r) => r.matchRate === null || r.matchRate < threshold);
  for (const r of under) {
    io.err(c.red(r.matchRate === null
      ? `✖ ${r.route}: no comparisons (dropped ${r.dropped}, oversized ${r.oversized}): nothing proves a ${threshold} % match`
      : `✖ ${r.route}: ${r.matchRate} % matched (${r.matched} of ${r.shadowed - r.raced}${r.raced ? `, ${r.raced} raced left out` : ''}), under ${threshold} %`));
  }
  if (under.length) return EXIT.failed;
  io.out(c.green(`✔ every route at or above ${threshold} % (${report.routes.map((r) => `${r.route} ${r.matchRate} %`).join(', ')})`));
  return EXIT.ok;
}

function rate(r: RouteSummary, c: Paint): string {
  if (r.matchRate === null) return '-';
  const text = `${r.matchRate.toFixed(1)} %`;
  return r.matchRate >= 100 ? c.green(text) : r.matchRate >= 95 ? c.yellow(text) : c.red(text);
}

function errors(r: RouteSummary): string {
  const kinds = Object.entries(r.errorKinds).map(([k, n]) => `${k} ${n}`).join(', ');
  return kinds ? `${r.errors} (${kinds})` : String(r.errors);
}

function ms(v: number | null): string {
  return v === null ? '-' : String(v);
}
