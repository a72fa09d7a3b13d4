// `npm run bench`: the proxy's overhead, measured. Starts the real legacy app and the real
// proxy as processes, loads both with autocannon in the same run, prints a table and
// writes data/bench/latest.json. Options: --duration S (10), --warmup S (3),
// --connections N (32), --rounds N (1; >1 alternates baseline and candidate and keeps
// the median), --only NAME (one section).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import pc from 'picocolors';
import { measure, progressPrinter, type LoadSettings, type Measurement } from './bench/measure.js';
import { SECTIONS, type BenchSection } from './bench/sections.js';
import { startBenchStack } from './bench/stack.js';

interface SectionResult {
  readonly name: string;
  readonly title: string;
  readonly baseline: Measurement;
  readonly candidate: Measurement;
  readonly throughputRatio: number;
  readonly addedP50Ms: number;
  readonly targets: BenchSection['targets'];
  readonly met: boolean;
}

const OUT = 'data/bench/latest.json';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '1' },
      only: { type: 'string' },
    },
  });
  const settings: LoadSettings = { durationSec: positive(values.duration, 'duration'), warmupSec: Number(values.warmup), connections: positive(values.connections, 'connections') };
  const rounds = positive(values.rounds, 'rounds');
  const sections = SECTIONS.filter((s) => !values.only || s.name === values.only);
  if (sections.length === 0) throw new Error(`no bench section "${values.only}" (known: ${SECTIONS.map((s) => s.name).join(', ')})`);

  const progress = progressPrinter();
  progress.done(pc.bold(`bench: ${settings.connections} connections, ${settings.durationSec} s per run after ${settings.warmupSec} s warm-up, ${rounds} round(s), ${cpus().length} CPUs, Node ${process.versions.node}`));
  progress.update('starting the legacy app (temp database, 5 users, admin session)…');
  const stack = await startBenchStack();
  const results: SectionResult[] = [];
  try {
    for (const section of sections) {
      progress.done(pc.bold(`${section.name}: ${section.title}`));
      const { baseline, candidate } = await section.prepare(stack);
      const base: Measurement[] = [];
      const cand: Measurement[] = [];
      for (let r = 0; r < rounds; r++) {
        for (const [target, into] of [[baseline, base], [candidate, cand]] as const) {
          const m = await measure(target, settings, progress.update);
          into.push(m);
          const cpu = cpuCell(m).replaceAll('\n', ', ');
          progress.done(`  ${target.label}${rounds > 1 ? ` (round ${r + 1})` : ''}: ${Math.round(m.rps)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms${cpu ? `, CPU µs/req: ${cpu}` : ''}${m.failures ? pc.red(`, ${m.failures} failures`) : ''}`);
        }
      }
      // A paced run's rate is fixed: its median round is the one with the median p50.
      const by = baseline.rate ? 'p50Ms' : 'rps';
      const b = median(base, by);
      const c = median(cand, by);
      const throughputRatio = c.rps / b.rps;
      const addedP50Ms = c.p50Ms - b.p50Ms;
      const t = section.targets;
      const met = throughputRatio >= t.minThroughputRatio && addedP50Ms <= t.maxAddedP50Ms && b.failures + c.failures === 0
        && (t.maxP50Ratio === undefined || c.p50Ms <= b.p50Ms * t.maxP50Ratio)
        && (t.maxP99Ratio === undefined || c.p99Ms <= b.p99Ms * t.maxP99Ratio);
      results.push({ name: section.name, title: section.title, baseline: b, candidate: c, throughputRatio, addedP50Ms, targets: section.targets, met });
    }
  } finally {
    await stack.stop();
  }
  print(results);
  mkdirSync('data/bench', { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, cpus: cpus().length, cpuModel: cpus()[0]?.model, settings: { ...settings, rounds }, sections: results }, null, 2)}\n`);
  console.log(pc.dim(`written to ${OUT}`));
}

function print(results: readonly SectionResult[]): void {
  const table = new Table({ head: ['section', 'run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'CPU µs/req', 'failures', 'vs baseline'].map((h) => pc.bold(h)), style: { head: [] } });
  for (const r of results) {
    const verdict = (ok: boolean, text: string) => (ok ? pc.green(text) : pc.red(text));
    const notes = [`${verdict(r.throughputRatio >= r.targets.minThroughputRatio, `${r.throughputRatio.toFixed(3)}× req/s`)} (target ≥ ${r.targets.minThroughputRatio})`];
    const added = `${r.addedP50Ms >= 0 ? '+' : ''}${r.addedP50Ms.toFixed(2)} ms p50`;
    if (Number.isFinite(r.targets.maxAddedP50Ms)) notes.push(`${verdict(r.addedP50Ms <= r.targets.maxAddedP50Ms, added)} (target ≤ ${r.targets.maxAddedP50Ms})`);
    else notes.push(pc.dim(`${added} (not judged)`));
    for (const [key, limit] of [['p50Ms', r.targets.maxP50Ratio], ['p99Ms', r.targets.maxP99Ratio]] as const) {
      if (limit === undefined) continue;
      const ratio = r.candidate[key] / r.baseline[key];
      notes.push(`${verdict(ratio <= limit, `${ratio.toFixed(3)}× ${key.slice(0, 3)}`)} (target ≤ ${limit})`);
    }
    for (const [m, note] of [[r.baseline, ''], [r.candidate, notes.join('\n')]] as const) {
      table.push([r.name, m.label, Math.round(m.rps), m.p50Ms.toFixed(2), m.p90Ms.toFixed(2), m.p99Ms.toFixed(2), cpuCell(m), m.failures ? pc.red(String(m.failures)) : '0', note]);
    }
  }
  console.log(table.toString());
  const missed = results.filter((r) => !r.met);
  console.log(missed.length ? pc.yellow(`targets missed: ${missed.map((r) => r.name).join(', ')}`) : pc.green('all targets met'));
}

function cpuCell(m: Measurement): string {
  return Object.entries(m.cpuUsPerRequest).filter(([, us]) => Number.isFinite(us)).map(([name, us]) => `${name} ${Math.round(us)}`).join('\n');
}

function median(ms: readonly Measurement[], by: 'rps' | 'p50Ms'): Measurement {
  const sorted = [...ms].sort((a, b) => a[by] - b[by]);
  return sorted[Math.floor(sorted.length / 2)] as Measurement;
}

function positive(raw: string | undefined, name: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

main().catch((err: unknown) => {
  console.error(pc.red(`bench failed: ${(err as Error).message}`));
  process.exit(1);
});
