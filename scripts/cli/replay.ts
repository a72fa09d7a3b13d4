import Table from 'cli-table3';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { replayPassed, runReplay, type ReplayProgress, type ReplayReport } from '../../proxy/src/replay/index.js';
import { defineCommand } from './define-command.js';
import { formatDifference } from './format-difference.js';
import { colors, EXIT, processIo, type CliIo, type Colors } from './io.js';
import { routesFilePath, shownPath } from './routes-file.js';

export const usage = `strangler replay FILE [--json] [--fail-under PCT] [--rollback-check] [--routes FILE]

Replays a recording (strangler record) against both backends, each on its own copy of the
database, and reports where they differ. It backs the database up (as strangler db backup),
copies the backup twice, starts the legacy backend on one copy and the new backend on the
other (routes.yaml \`replay\` says how), logs each recorded user in on each side through the
session bridge, sends the exchanges in order to both, compares every answer with the shadow
diff engine and the route's \`ignore\`, then compares the two databases table by table.
The original database is only read.

  --json             the report as JSON
  --fail-under PCT   exit 1 when the answers' match rate is under PCT (default 100), or a
                     table differs: a gate for CI
  --rollback-check   replay the writes on new and the reads on legacy, on one copy, and
                     report every read where legacy, reading what new wrote, answers
                     otherwise than legacy reading its own writes
  --legacy NAME      the legacy backend (default: the first \`auth: session\` backend)
  --new NAME         the new backend (default: the first \`auth: jwt\` backend)
  --routes FILE      the routes file (default: ROUTES_FILE, or ./routes.yaml)

Exit codes: 0 passed, 1 differences over the gate, 2 the replay could not run (a bad
recording, a backend that did not start: nothing is reported as a result then).`;

const command = defineCommand({
  name: 'replay',
  usage,
  options: {
    json: { type: 'boolean' },
    'fail-under': { type: 'string' },
    'rollback-check': { type: 'boolean' },
    legacy: { type: 'string' },
    new: { type: 'string' },
    routes: { type: 'string' },
  },
  maxPositionals: 1,
});

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const v = parsed.values;
  const [file] = parsed.positionals;
  if (!file) return fail('give the recording to replay, e.g. strangler replay recordings/users.jsonl');
  const failUnder = v['fail-under'] === undefined ? 100 : Number(v['fail-under']);
  if (!Number.isFinite(failUnder) || failUnder < 0 || failUnder > 100) return fail(`--fail-under ${v['fail-under']}: give a percentage from 0 to 100`);

  const progress = (p: ReplayProgress) => {
    io.err(c.dim(p.phase === 'replay' ? `▸ replaying: ${p.done}/${p.total} exchanges` : `▸ ${p.detail}`));
  };
  const outcome = await runReplay({
    routesFile: routesFilePath(io, v.routes),
    recordingFile: resolve(io.cwd, file),
    mode: v['rollback-check'] ? 'rollback-check' : 'compare',
    ...(v.legacy ? { legacy: v.legacy } : {}),
    ...(v.new ? { new: v.new } : {}),
    env: io.env,
    logger: pino({ level: io.env.LOG_LEVEL === 'debug' ? 'debug' : 'error', name: 'replay' }, pino.destination(2)),
    onProgress: progress,
  });
  if (!outcome.ok) {
    io.err(c.red(`✖ strangler replay could not run:\n  - ${outcome.errors.join('\n  - ')}`));
    return EXIT.usage;
  }
  const { report } = outcome;
  const passed = replayPassed(report, failUnder);
  if (v.json) io.out(JSON.stringify({ ...report, passed, failUnder }, null, 2));
  else io.out(formatReport(report, passed, failUnder, c, (f) => shownPath(io, f)));
  return passed ? EXIT.ok : EXIT.failed;
}

function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.floor(rate * 1000) / 10).toFixed(1)} %`;
}

/** The report for a person: the verdict first, then answers, paths, samples and tables. */
export function formatReport(report: ReplayReport, passed: boolean, failUnder: number, c: Colors, shown: (f: string) => string): string {
  const a = report.answers;
  const [left, right] = report.sides;
  const lines: string[] = [];
  const what = report.mode === 'rollback-check'
    ? `Rollback check of ${shown(report.recording.file)}: reads on legacy after writes on new (${right}) against legacy alone (${left})`
    : `Replay of ${shown(report.recording.file)} (${report.recording.exchanges} exchanges of ${report.recording.route}) on ${left} and ${right}`;
  lines.push(c.bold(what), '');
  const summary = new Table({ head: ['replayed', 'compared', 'matched', 'mismatched', 'skipped', 'match rate'], style: { head: [], border: [] } });
  summary.push([a.replayed, a.compared, a.matched, a.mismatched, a.skipped, percent(a.matchRate)].map(String));
  lines.push(summary.toString());
  if (a.paths.length) {
    const paths = new Table({ head: ['route', 'differing path', 'exchanges', 'first seen'], style: { head: [], border: [] } });
    for (const p of a.paths.slice(0, 15)) paths.push([p.route, p.path, String(p.count), `#${p.seq}`]);
    lines.push('', c.bold('Where the answers differ'), paths.toString());
    for (const m of a.mismatches.slice(0, 3)) {
      lines.push('', `#${m.seq} ${m.method} ${m.path}${m.user ? ` as user ${m.user}` : ''}: ${m.statuses[0]} on ${left}, ${m.statuses[1]} on ${right}${m.error ? ` (${m.error})` : ''}`);
      for (const d of m.differences.slice(0, 5)) lines.push(...formatDifference(d, c, { primary: left, shadow: right }).map((l) => `    ${l}`));
    }
  }
  const t = report.tables;
  if (t.differences.length) {
    const tables = new Table({ head: ['table', `only in ${right}`, `only in ${left}`, 'changed', 'columns'], style: { head: [], border: [] } });
    for (const d of t.differences) {
      const cols = d.only ? `(table only on ${d.only === 'legacy' ? left : right})` : [...Object.entries(d.columns).map(([k, n]) => `${k} (${n})`), ...d.schema].join(', ');
      tables.push([d.table, String(d.added), String(d.removed), String(d.changed), cols]);
    }
    lines.push('', c.bold(`Databases: ${t.differences.length} of ${t.compared.length} tables differ`), tables.toString());
    for (const d of t.differences) {
      for (const s of d.samples.slice(0, 3)) {
        const cols = s.columns ? Object.entries(s.columns).map(([k, x]) => `${k}: ${JSON.stringify(x.legacy)} → ${JSON.stringify(x.new)}`).join(', ') : '';
        lines.push(`  ${d.table} ${s.key}: ${s.kind}${cols ? ` (${cols})` : ''}`);
      }
    }
  } else {
    lines.push('', `Databases: the ${t.compared.length} tables compared are the same on both sides.`);
  }
  for (const w of report.warnings) lines.push(c.yellow(`! ${w}`));
  lines.push('', passed
    ? c.green(`✔ passed: ${percent(a.matchRate)} of answers match (gate ${failUnder} %)${report.mode === 'compare' ? ', and the databases agree' : ''}`)
    : c.red(`✖ failed: ${percent(a.matchRate)} of answers match (gate ${failUnder} %)${report.mode === 'compare' && t.differences.length ? `, ${t.differences.length} table(s) differ` : ''}`));
  lines.push(c.dim(`backup: ${shown(report.backup)} · ${Math.round(report.durationMs / 100) / 10} s`));
  return lines.join('\n');
}
