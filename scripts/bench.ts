// `npm run bench`: the proxy's overhead, measured. Starts the real legacy app, the real
// proxy and Debian's nginx as processes, loads them in the same run (wrk as fast as it
// goes: bench/wrk.ts, or a paced open-loop generator at a steady rate: bench/paced.ts),
// prints a table and writes data/bench/latest.json. Each section compares a candidate
// (the proxy) with a baseline (direct to the backend), and most show nginx in front of the
// same backend as a reference: what a hop costs when written in C.
// Options: --duration S (10), --warmup S (3), --connections N (32), --rounds N (1; >1
// alternates baseline, reference and candidate: paced runs pool every round's answers,
// saturated ones keep the median round by throughput; sections with their own interleaved
// slices ignore it), --only NAME[,NAME…] (those sections), --cpu-prof DIR (each Node process writes a
// V8 CPU profile there when the bench stops it: open in Chrome DevTools or speedscope).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { BenchSection } from './bench/bench-section.js';
import { measure, pool, progressPrinter, type LoadSettings, type LoadTarget, type Measurement } from './bench/measure.js';
import { SECTIONS } from './bench/sections.js';
import { profileProcessesInto } from './bench/processes.js';
import { startBenchStack } from './bench/stack.js';

interface SectionResult {
  readonly name: string;
  readonly title: string;
  readonly baseline: Measurement;
  /** nginx in front of the baseline's backend, when the section has it. */
  readonly reference: Measurement | undefined;
  readonly candidate: Measurement;
  readonly throughputRatio: number;
  readonly addedP50Ms: number;
  readonly targets: BenchSection['targets'];
  readonly reportOnly: boolean;
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
      'cpu-prof': { type: 'string' },
    },
  });
  const settings: LoadSettings = { durationSec: positive(values.duration, 'duration'), warmupSec: Number(values.warmup), connections: positive(values.connections, 'connections') };
  const roundCount = positive(values.rounds, 'rounds');
  const profiles = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  profileProcessesInto(profiles);
  const wanted = values.only ? values.only.split(',').map((n) => n.trim()).filter(Boolean) : [];
  const unknown = wanted.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no bench section "${unknown.join('", "')}" (known: ${SECTIONS.map((s) => s.name).join(', ')})`);
  const sections = SECTIONS.filter((s) => wanted.length === 0 || wanted.includes(s.name));

  const progress = progressPrinter();
  progress.done(pc.bold(`bench: ${settings.connections} connections, ${settings.durationSec} s per run after ${settings.warmupSec} s warm-up, ${roundCount} round(s), ${cpus().length} CPUs, Node ${process.versions.node}`));
  progress.update('starting the legacy app (temp database, 5 users, admin session)…');
  const stack = await startBenchStack();
  const results: SectionResult[] = [];
  try {
    for (const section of sections) {
      progress.done(pc.bold(`${section.name}: ${section.title}`));
      const { baseline, candidate, reference } = await section.prepare(stack);
      const targets = reference ? [baseline, reference, candidate] : [baseline, candidate];
      const runs = section.interleave
        ? await slices(section.interleave, targets, settings, progress)
        : await rounds(Math.max(1, roundCount), targets, settings, progress);
      // A paced run's rate is fixed: its rounds are pooled. At saturation the median round by throughput counts.
      const picked = runs.map((ms, i) => ((targets[i] as LoadTarget).rate ? pool(ms) : median(ms)));
      const b = picked[0] as Measurement;
      const ref = reference ? picked[1] : undefined;
      const cm = picked[picked.length - 1] as Measurement;
      const throughputRatio = cm.rps / b.rps;
      const addedP50Ms = cm.p50Ms - b.p50Ms;
      const t = section.targets;
      // A run with failures, or whose generator fell behind, measured something else.
      const all = ref ? [b, ref, cm] : [b, cm];
      const sound = all.every((m) => m.failures === 0 && steady(m));
      const onTarget = throughputRatio >= t.minThroughputRatio && addedP50Ms <= t.maxAddedP50Ms
        && (t.maxP50Ratio === undefined || cm.p50Ms <= b.p50Ms * t.maxP50Ratio)
        && (t.maxP99Ratio === undefined || cm.p99Ms <= b.p99Ms * t.maxP99Ratio);
      const met = sound && (section.reportOnly === true || onTarget);
      results.push({ name: section.name, title: section.title, baseline: b, reference: ref, candidate: cm, throughputRatio, addedP50Ms, targets: section.targets, reportOnly: section.reportOnly === true, met });
    }
  } finally {
    await stack.stop();
  }
  print(results);
  mkdirSync('data/bench', { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, cpus: cpus().length, cpuModel: cpus()[0]?.model, settings: { ...settings, rounds: roundCount }, sections: results }, (key, value: unknown) => (key === 'times' ? undefined : value), 2)}\n`);
  console.log(pc.dim(`written to ${OUT}`));
  if (profiles) console.log(pc.dim(`CPU profiles in ${profiles} (a folder per process, a file per thread; Chrome DevTools → Performance, or speedscope)`));
}

type Progress = ReturnType<typeof progressPrinter>;

/** Alternating runs, each with its own warm-up; a target's check after each of its runs. Measurements by target. */
async function rounds(count: number, targets: readonly LoadTarget[], settings: LoadSettings, progress: Progress): Promise<Measurement[][]> {
  const runs: Measurement[][] = targets.map(() => []);
  for (let r = 0; r < count; r++) {
    for (const [i, target] of targets.entries()) {
      const m = await measure(target, settings, progress.update);
      runs[i]?.push(m);
      progress.done(`  ${runLine(m, count > 1 ? ` (round ${r + 1})` : '')}`);
      if (target.verify) progress.done(`    ${await target.verify()}`);
    }
  }
  return runs;
}

/** Every target primed, then short alternating slices (BenchSection.interleave); checks once at the end. */
async function slices(plan: NonNullable<BenchSection['interleave']>, targets: readonly LoadTarget[], settings: LoadSettings, progress: Progress): Promise<Measurement[][]> {
  for (const target of targets) {
    await measure(target, { ...settings, warmupSec: 0, durationSec: plan.primeSec }, (line) => progress.update(line.replace('measuring', 'priming')));
  }
  const runs: Measurement[][] = targets.map(() => []);
  const slice = { ...settings, warmupSec: 0, durationSec: plan.sliceSec };
  const forward = [...targets.keys()];
  for (let i = 0; i < plan.slices; i++) {
    // ABBA order: no target always follows another.
    for (const t of i % 2 === 0 ? forward : [...forward].reverse()) {
      runs[t]?.push(await measure(targets[t] as LoadTarget, slice, (line) => progress.update(`slice ${i + 1}/${plan.slices}, ${line}`)));
    }
  }
  for (const [t, target] of targets.entries()) {
    progress.done(`  ${runLine(pool(runs[t] ?? []), ` (${plan.slices} × ${plan.sliceSec} s, pooled)`)}`);
    if (target.verify) progress.done(`    ${await target.verify()}`);
  }
  return runs;
}

function runLine(m: Measurement, suffix: string): string {
  const cpu = cpuCell(m).replaceAll('\n', ', ');
  return `${m.label}${suffix}: ${Math.round(m.rps)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms${cpu ? `, CPU µs/req: ${cpu}` : ''}${m.failures ? pc.red(`, ${m.failures} failures`) : ''}${m.late ? pc.dim(`, ${m.late} sent late`) : ''}`;
}

function print(results: readonly SectionResult[]): void {
  const table = new Table({ head: ['section', 'run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'CPU µs/req', 'failures', 'vs baseline'].map((h) => pc.bold(h)), style: { head: [] } });
  for (const r of results) {
    const verdict = (ok: boolean, text: string) => (ok ? pc.green(text) : pc.red(text));
    const notes = r.reportOnly
      ? [`${r.throughputRatio.toFixed(3)}× req/s ${pc.dim('(reported, not judged)')}`]
      : [`${verdict(r.throughputRatio >= r.targets.minThroughputRatio, `${r.throughputRatio.toFixed(3)}× req/s`)} (target ≥ ${r.targets.minThroughputRatio})`];
    const added = `${signed(r.addedP50Ms)} ms p50`;
    if (Number.isFinite(r.targets.maxAddedP50Ms)) notes.push(`${verdict(r.addedP50Ms <= r.targets.maxAddedP50Ms, added)} (target ≤ ${r.targets.maxAddedP50Ms})`);
    else notes.push(pc.dim(`${added} (not judged)`));
    for (const [key, limit] of [['p50Ms', r.targets.maxP50Ratio], ['p99Ms', r.targets.maxP99Ratio]] as const) {
      if (limit === undefined) continue;
      const ratio = `${(r.candidate[key] / r.baseline[key]).toFixed(3)}× ${key.slice(0, 3)}`;
      notes.push(r.reportOnly ? `${ratio} ${pc.dim('(reported, not judged)')}` : `${verdict(r.candidate[key] <= r.baseline[key] * limit, ratio)} (target ≤ ${limit})`);
    }
    const rows: Array<[Measurement, string]> = [[r.baseline, '']];
    if (r.reference) rows.push([r.reference, pc.dim(`${(r.reference.rps / r.baseline.rps).toFixed(3)}× req/s, ${signed(r.reference.p50Ms - r.baseline.p50Ms)} ms p50 (reference)`)]);
    rows.push([r.candidate, notes.join('\n')]);
    for (const [m, note] of rows) {
      table.push([r.name, m.label, Math.round(m.rps), m.p50Ms.toFixed(2), m.p90Ms.toFixed(2), m.p99Ms.toFixed(2), cpuCell(m), failuresCell(m), note]);
    }
  }
  console.log(table.toString());
  const missed = results.filter((r) => !r.met);
  console.log(missed.length ? pc.yellow(`targets missed: ${missed.map((r) => r.name).join(', ')}`) : pc.green('all targets met'));
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
}

/** A paced run whose generator slipped more than 1 % of its sends did not load at the rate it claims. */
function steady(m: Measurement): boolean {
  return m.late <= m.requests * 0.01;
}

function failuresCell(m: Measurement): string {
  const failures = m.failures ? pc.red(String(m.failures)) : '0';
  if (!m.late) return failures;
  const late = `${m.late} sent late`;
  return `${failures}\n${steady(m) ? pc.dim(late) : pc.red(`${late} (over 1 %)`)}`;
}

function cpuCell(m: Measurement): string {
  return Object.entries(m.cpuUsPerRequest).filter(([, us]) => Number.isFinite(us)).map(([name, us]) => `${name} ${Math.round(us)}`).join('\n');
}

function median(ms: readonly Measurement[]): Measurement {
  const sorted = [...ms].sort((a, b) => a.rps - b.rps);
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
