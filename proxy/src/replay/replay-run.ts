import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveSecrets, secretList } from '../../../lib/env.js';
import type { Logger } from '../../../lib/logger.js';
import { openDatabase } from '../../../lib/sqlite.js';
import { backupDatabase } from '../../../new-backend/src/db/backup.js';
import { expandEnv } from '../config/expand-env.js';
import { loadRouteTable, type RouteTable } from '../config/index.js';
import { readRecording, type RecordedExchange } from '../record/index.js';
import { createDiffer, generalizePath, type Differ } from '../shadow/diff/index.js';
import { compareDatabases } from './compare-databases.js';
import { freePorts } from '../../../lib/free-ports.js';
import { fillPlaceholders } from './placeholders.js';
import type { DifferingPath, ExchangeMismatch, ReplayMode, ReplayReport } from './replay-report.js';
import type { ReplayBlock, ReplayProcessBlock } from './replay-schema.js';
import { openReplaySide, type ReplaySide, type SideAnswer } from './replay-side.js';
import type { SideRouting } from './side-routes.js';
import { startProcess, type StartedProcess } from './started-process.js';

export interface ReplayOptions {
  readonly routesFile: string;
  readonly recordingFile: string;
  readonly mode: ReplayMode;
  /** Backend names; default the first `auth: session` and the first `auth: jwt` backend. */
  readonly legacy?: string;
  readonly new?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Each request's answer deadline (default 30 s). */
  readonly timeoutMs?: number;
}

export type ReplayProgress =
  | { readonly phase: 'backup' | 'start' | 'compare-tables' | 'stop'; readonly detail: string }
  | { readonly phase: 'replay'; readonly done: number; readonly total: number };

export type ReplayOutcome = { ok: true; report: ReplayReport } | { ok: false; errors: string[] };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_MISMATCHES = 50;

interface SidePlan {
  readonly name: string;
  readonly database: string;
  readonly routing: SideRouting;
  /** Backends started for this side. */
  readonly backends: readonly string[];
}

/**
 * `strangler replay`: backs the database up, makes two copies, starts each side's processes
 * on its copy (routes.yaml `replay`), sends the recording's exchanges in order to both sides
 * through a proxy of their own, compares every answer with the shadow diff engine and the
 * route's `ignore`, then the two copies table by table. The original database is only read.
 * Setup failures (a bad recording, a backend that does not start) are errors; nothing
 * half-replayed is reported as a result.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayOutcome> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  let text: string;
  try {
    text = readFileSync(options.recordingFile, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${options.recordingFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give the file \`strangler record\` wrote`] };
  }
  const recording = readRecording(text, basename(options.recordingFile));
  if (!recording.ok) return { ok: false, errors: [...recording.errors, 'Nothing was replayed.'] };

  const routesText = safeRead(options.routesFile);
  if (routesText === undefined) return { ok: false, errors: [`${options.routesFile}: cannot read it: give the routes file with --routes or ROUTES_FILE`] };
  const loaded = loadRouteTable(options.routesFile, options.env);
  if (!loaded.ok) return { ok: false, errors: loaded.errors };
  const table = loaded.table;
  const block = table.replay;
  if (!block) return { ok: false, errors: [`${options.routesFile}: no \`replay\` block: add one that says how to start each backend on a database copy (docs/replay.md shows the repository's)`] };
  const names = chooseBackends(table, block, options);
  if (!names.ok) return names;
  const { legacy, fresh } = names;
  const base = dirname(resolve(options.routesFile));
  const db = expandEnv(block.database, options.env);
  if (!db.ok) return { ok: false, errors: [`replay.database: ${db.reason}`] };
  const original = resolve(base, db.value);
  if (!existsSync(original)) return { ok: false, errors: [`replay.database: ${original} does not exist: name the SQLite file the backends use (start them once to create it)`] };

  let secrets: ReturnType<typeof resolveSecrets>;
  try {
    secrets = resolveSecrets(options.env, join(base, 'data'));
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }

  // The backup is made with the same code as `strangler db backup`; the copies come from it.
  progress({ phase: 'backup', detail: `backing up ${original}` });
  let backupFile: string;
  try {
    const source = openDatabase(original, { readonly: true });
    try {
      backupFile = (await backupDatabase(source, original)).file;
    } finally {
      source.close();
    }
  } catch (err) {
    return { ok: false, errors: [`replay.database: cannot back up ${original}: ${(err as Error).message}`] };
  }
  const work = mkdtempSync(join(tmpdir(), 'strangler-replay-'));
  const plans: SidePlan[] = options.mode === 'compare'
    ? [
      { name: 'legacy', database: join(work, 'legacy.db'), routing: { kind: 'all', backend: legacy }, backends: [legacy] },
      { name: 'new', database: join(work, 'new.db'), routing: { kind: 'all', backend: fresh }, backends: withSessionHost(table, fresh, legacy) },
    ]
    : [
      { name: 'legacy', database: join(work, 'legacy.db'), routing: { kind: 'all', backend: legacy }, backends: [legacy] },
      { name: 'rollback', database: join(work, 'rollback.db'), routing: { kind: 'split', writes: fresh, reads: legacy }, backends: [legacy, fresh] },
    ];
  for (const plan of plans) copyFileSync(backupFile, plan.database);

  const processes: StartedProcess[] = [];
  const sides: ReplaySide[] = [];
  const childEnv: NodeJS.ProcessEnv = { ...options.env, ...secrets, NODE_ENV: options.env.NODE_ENV || 'development' };
  const cleanup = async () => {
    if (sides.length === 0 && processes.length === 0) return;
    progress({ phase: 'stop', detail: 'stopping the replay\'s processes' });
    await Promise.all(sides.map((s) => s.close().catch(() => undefined)));
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    for (const plan of plans) {
      const opened = await startSide(plan, block, base, work, childEnv, secrets, options, routesText, progress);
      processes.push(...opened.processes);
      if (!opened.ok) return { ok: false, errors: [...opened.errors, 'Nothing was replayed.'] };
      sides.push(opened.side);
    }
    const [a, b] = sides as [ReplaySide, ReplaySide];
    const answers = await replayExchanges(recording.exchanges, recording.header.route, a, b, table, block, options, progress);
    if (!answers.ok) return answers;
    await cleanup();
    sides.length = 0;
    processes.length = 0;
    progress({ phase: 'compare-tables', detail: 'comparing the two databases table by table' });
    const [pa, pb] = plans as [SidePlan, SidePlan];
    const tables = compareDatabases(pa.database, pb.database, { skipTables: block.compare.skip_tables, ignoreColumns: block.compare.ignore_columns });
    return {
      ok: true,
      report: {
        mode: options.mode,
        recording: { file: options.recordingFile, id: recording.header.id, route: recording.header.route, exchanges: recording.exchanges.length },
        backup: backupFile,
        sides: [pa.name, pb.name],
        answers: answers.answers,
        tables,
        warnings: recording.warnings,
        durationMs: Date.now() - started,
      },
    };
  } finally {
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function chooseBackends(table: RouteTable, block: ReplayBlock, options: ReplayOptions): { ok: true; legacy: string; fresh: string } | { ok: false; errors: string[] } {
  const all = [...table.backends.values()];
  const legacy = options.legacy ?? all.find((b) => b.auth === 'session')?.name;
  const fresh = options.new ?? all.find((b) => b.auth === 'jwt')?.name;
  const errors: string[] = [];
  if (!legacy) errors.push('no legacy backend: routes.yaml has no `auth: session` backend; name one with --legacy');
  if (!fresh) errors.push('no new backend: routes.yaml has no `auth: jwt` backend; name one with --new');
  for (const [flag, name] of [['--legacy', legacy], ['--new', fresh]] as const) {
    if (!name) continue;
    if (!table.backends.has(name)) errors.push(`${flag} ${name}: no such backend (known: ${[...table.backends.keys()].join(', ')})`);
    else if (!block.backends[name]) errors.push(`replay.backends.${name} is missing: say how to start ${name} on a copy (command, env with {db} and {port}, ready)`);
    else if (!Object.values(block.backends[name]?.env ?? {}).some((v) => v.includes('{db}'))) {
      errors.push(`replay.backends.${name}.env names no {db}: ${name} would run on the original database. Give it the copy, e.g. DATABASE_PATH: "{db}"`);
    }
  }
  if (legacy && legacy === fresh) errors.push(`--legacy and --new both name ${legacy}: a replay compares two backends`);
  return errors.length ? { ok: false, errors } : { ok: true, legacy: legacy as string, fresh: fresh as string };
}

/** An adapter session source answers from the legacy app: the new side runs one on its copy too, as the session host. */
function withSessionHost(table: RouteTable, fresh: string, legacy: string): string[] {
  const session = table.backends.get(legacy)?.session;
  return session?.source === 'adapter' ? [fresh, legacy] : [fresh];
}

async function startSide(
  plan: SidePlan, block: ReplayBlock, base: string, work: string, env: NodeJS.ProcessEnv, secrets: Record<string, string>,
  options: ReplayOptions, routesText: string, progress: NonNullable<ReplayOptions['onProgress']>,
): Promise<{ ok: true; side: ReplaySide; processes: StartedProcess[] } | { ok: false; errors: string[]; processes: StartedProcess[] }> {
  const services = Object.entries(block.services);
  const ports = await freePorts(services.length + plan.backends.length + 1);
  const processes: StartedProcess[] = [];
  const urls: Record<string, string> = {};
  const sidePort = ports.pop() as number;
  const jwks = `http://127.0.0.1:${sidePort}/__proxy/jwks.json`;
  const launch = async (kind: 'services' | 'backends', name: string, spec: ReplayProcessBlock, port: number) => {
    const dir = join(work, `${plan.name}-${name}`);
    mkdirSync(dir, { recursive: true });
    const filled = fillPlaceholders(spec.env, { db: plan.database, port, dir, jwks, urls }, `replay.${kind}.${name}`);
    if (!filled.ok) return { ok: false as const, error: filled.errors.join('\n') };
    progress({ phase: 'start', detail: `starting ${name} for the ${plan.name} side` });
    const r = await startProcess({
      name: `${name} (${plan.name} side)`, command: spec.command, env: { ...env, ...filled.env }, cwd: base, port,
      readyPath: spec.ready, readyTimeoutMs: spec.ready_timeout_ms,
    });
    if (!r.ok) return { ok: false as const, error: r.error };
    processes.push(r.process);
    return { ok: true as const, url: r.process.url };
  };
  for (const [name, spec] of services) {
    const r = await launch('services', name, spec, ports.shift() as number);
    if (!r.ok) return { ok: false, errors: [r.error], processes };
    urls[name] = r.url;
  }
  const backendUrls: Record<string, string> = {};
  const backendPorts = plan.backends.map((name) => [name, ports.shift() as number] as const);
  for (const [name, port] of backendPorts) backendUrls[name] = `http://127.0.0.1:${port}`;
  // The side's proxy first: a jwt backend may fetch {jwks} as it starts.
  const opened = await openReplaySide({
    name: plan.name, routesText, routing: plan.routing, urls: backendUrls, database: plan.database, port: sidePort, dir: work,
    sessionSecrets: secretList(secrets.SESSION_SECRET ?? ''), jwtSecrets: secretList(secrets.JWT_SECRET ?? ''),
    env, logger: options.logger, timeoutMs: options.timeoutMs ?? 30_000,
  });
  if (!opened.ok) return { ok: false, errors: opened.errors, processes };
  for (const [name, port] of backendPorts) {
    const r = await launch('backends', name, block.backends[name] as ReplayProcessBlock, port);
    if (!r.ok) {
      await opened.side.close();
      return { ok: false, errors: [r.error], processes };
    }
  }
  return { ok: true, side: opened.side, processes };
}

async function replayExchanges(
  exchanges: readonly RecordedExchange[], defaultRoute: string, a: ReplaySide, b: ReplaySide, table: RouteTable, block: ReplayBlock,
  options: ReplayOptions, progress: NonNullable<ReplayOptions['onProgress']>,
): Promise<{ ok: true; answers: ReplayReport['answers'] } | { ok: false; errors: string[] }> {
  const differs = new Map<string, Differ>();
  const differFor = (route: string): Differ | string => {
    const known = differs.get(route);
    if (known) return known;
    const shadow = table.routes.find((r) => r.name === route)?.shadow;
    const made = createDiffer({ ignore: [...(shadow?.ignore ?? []), ...block.compare.ignore], unordered: shadow?.unordered ?? false, headers: shadow?.headers ?? [] });
    if (!made.ok) return `replay.compare.ignore: ${made.errors.join('; ')}`;
    differs.set(route, made.differ);
    return made.differ;
  };
  let compared = 0;
  let matched = 0;
  let skipped = 0;
  let replayed = 0;
  const mismatches: ExchangeMismatch[] = [];
  let mismatched = 0;
  const paths = new Map<string, DifferingPath>();
  let lastReport = 0;
  for (const exchange of exchanges) {
    const route = exchange.route ?? defaultRoute;
    if (exchange.request.truncated) {
      skipped++;
      continue;
    }
    const body = requestBody(exchange);
    const [ra, rb] = await Promise.all([a.send(exchange, body), b.send(exchange, body)]);
    replayed++;
    if (Date.now() - lastReport > 250 || replayed === exchanges.length) {
      lastReport = Date.now();
      progress({ phase: 'replay', done: replayed + skipped, total: exchanges.length });
    }
    if (options.mode === 'rollback-check' && !SAFE.has(exchange.method)) continue;
    compared++;
    const differ = differFor(route);
    if (typeof differ === 'string') return { ok: false, errors: [differ] };
    const error = ra.error ?? rb.error;
    const differences = error ? [] : differ.diff(captured(ra), captured(rb)).differences;
    if (!error && differences.length === 0) {
      matched++;
      continue;
    }
    mismatched++;
    for (const d of error ? [{ path: 'answer' }] : differences) {
      const key = `${route} ${generalizePath(d.path)}`;
      const seen = paths.get(key);
      paths.set(key, { path: generalizePath(d.path), route, count: (seen?.count ?? 0) + 1, seq: seen?.seq ?? exchange.seq });
    }
    if (mismatches.length < MAX_MISMATCHES) {
      mismatches.push({
        seq: exchange.seq, route, method: exchange.method, path: `${exchange.path}${exchange.query}`, user: exchange.user,
        statuses: [ra.status, rb.status], differences, ...(error ? { error } : {}),
      });
    }
  }
  return {
    ok: true,
    answers: {
      replayed, compared, matched, mismatched, skipped, matchRate: compared ? matched / compared : null,
      paths: [...paths.values()].sort((x, y) => y.count - x.count || x.seq - y.seq), mismatches,
    },
  };
}

function requestBody(exchange: RecordedExchange): Buffer | undefined {
  const { encoding, body } = exchange.request;
  if (encoding === 'json') return Buffer.from(JSON.stringify(body));
  if (encoding === 'text') return Buffer.from(String(body));
  if (encoding === 'base64') return Buffer.from(String(body), 'base64');
  return undefined;
}

function captured(answer: SideAnswer) {
  return { status: answer.status, headers: answer.headers, body: answer.body };
}
