import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadRouteTable, type RouteTable } from '../../proxy/src/config/index.js';
import { createDiffer, openDiffReader, type DiffOptions, storedAnswer } from '../../proxy/src/shadow/index.js';
import { parseFixture, replayOptions, DEFAULT_FIXTURE_DIR, fixtureText, writeMismatchFixtures, isRedacted, redactFixture } from '../../proxy/src/shadow/fixture/index.js';
import { defineCommand } from './define-command.js';
import { formatDifference } from './format-difference.js';
import { fetchAnswer, type LiveAuth, type LiveBackend, type LiveRequest } from './live-compare.js';
import { resolveLiveBackend, routeShadowOptions, withLogin } from './live-target.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath, shownPath } from './routes-file.js';

export const usage = `strangler diff METHOD PATH [--as USER [--password P]] [--cookie V] [--token T] [--data JSON]
                [--ignore PATTERN]... [--unordered] [--header NAME]... [--primary legacy] [--shadow new] [--json]
strangler diff export --route R [--out ${DEFAULT_FIXTURE_DIR}] [--file diffs.db] [--limit 20] [--keep-emails]
strangler diff refresh FIXTURE... [--as USER] [--cookie V] [--token T] [--keep-emails]

Sends one request to both backends directly and prints a structural diff of the answers.
Exit 0 when they answer the same, 1 when they differ, 2 on an error.

  --as USER        log in as USER on each backend first (POST /auth/login): the legacy app's
                   connect.sid cookie, the new backend's X-Auth-Token as a bearer token
  --password P     default: STRANGLER_PASSWORD, or ADMIN_PASSWORD for the admin user
  --cookie V       a connect.sid value to send as is (JWT backends ignore it: the CLI cannot
                   mint the bearer the proxy's bridge would; use --as or --token for those)
  --token T        a bearer token for the JWT backend
  --data JSON      request body (application/json)
  --unsafe         allow POST/PUT/PATCH/DELETE: both backends share one database, the write runs twice
  --ignore, --unordered, --header   comparison options, added to those of the route in routes.yaml
  --no-route-options   ignore routes.yaml's shadow options for this path
  --primary, --shadow  backend names (routes.yaml, LEGACY_URL, NEW_BACKEND_URL) or URLs

export   writes a route's recorded mismatches (request and both answers) as fixtures that
         test/shadow-fixtures.test.ts replays; each says whether it must still differ or match.
         Secrets are redacted in the request, both answers and the differences: values of
         password/token/secret/cookie/authorization/api-key fields, JWTs, password hashes,
         session cookies and email addresses (--keep-emails keeps those), each distinct one
         under its own label, so the fixture still shows the same differences.
refresh  re-sends each fixture's request to both backends and records the answers now
         (expect becomes "match" when they agree): run it after fixing a difference.`;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AUTH_OPTIONS = {
  as: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'p' },
  cookie: { type: 'string' },
  token: { type: 'string' },
  primary: { type: 'string' },
  shadow: { type: 'string' },
  routes: { type: 'string' },
  unsafe: { type: 'boolean' },
} as const;

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  if (args[0] === 'export') return runExport(args.slice(1), io);
  if (args[0] === 'refresh') return runRefresh(args.slice(1), io);
  return runLive(args, io);
}

const live = defineCommand({
  name: 'diff',
  usage,
  options: {
    ...AUTH_OPTIONS,
    data: { type: 'string', short: 'd' },
    ignore: { type: 'string', multiple: true },
    unordered: { type: 'boolean' },
    header: { type: 'string', multiple: true },
    'no-route-options': { type: 'boolean' },
    json: { type: 'boolean' },
  },
});
const exportCommand = defineCommand({
  name: 'diff',
  usage,
  options: { route: { type: 'string', short: 'r' }, out: { type: 'string', short: 'o' }, file: { type: 'string', short: 'f' }, limit: { type: 'string' }, 'keep-emails': { type: 'boolean' } },
});
const refresh = defineCommand({ name: 'diff', usage, options: { ...AUTH_OPTIONS, 'keep-emails': { type: 'boolean' } } });

async function runLive(args: string[], io: CliIo): Promise<number> {
  const c = colors(io);
  const parsed = live.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const v = parsed.values;
  const [rawMethod, path, ...rest] = parsed.positionals;
  if (!rawMethod || !path || rest.length) return fail('give a METHOD and a PATH, e.g. strangler diff GET /users/1 --as admin');
  const method = rawMethod.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) return fail(`"${rawMethod}" is not an HTTP method`);
  if (!path.startsWith('/')) return fail(`the path must start with "/" (got ${path})`);
  if (UNSAFE.has(method) && !v.unsafe) return fail(`${method} ${path} would run on both backends, which share one database: pass --unsafe if that is what you want`);
  if (v.data !== undefined) {
    try {
      JSON.parse(v.data);
    } catch (err) {
      return fail(`--data is not JSON: ${(err as Error).message}`);
    }
  }

  const ctx = await connect(io, v);
  if (!ctx.ok) return ctx.code;
  const { table, primary, shadow, routesFile } = ctx;
  const fromRoute = v['no-route-options'] ? undefined : routeShadowOptions(table, method, path);
  const options: DiffOptions = {
    ignore: [...(fromRoute?.options.ignore ?? []), ...(v.ignore ?? [])],
    unordered: v.unordered || fromRoute?.options.unordered === true,
    headers: [...(fromRoute?.options.headers ?? []), ...(v.header ?? [])],
  };
  const differ = createDiffer(options);
  if (!differ.ok) return fail(differ.errors.join('\n  '));

  const request: LiveRequest = { method, path, ...(v.data !== undefined ? { body: v.data, contentType: 'application/json' } : {}) };
  const answers = await withLogin(v, io.env, [primary, shadow], async ([pa, sa]) => {
    const p = await fetchAnswer(primary, request, pa as LiveAuth);
    if (!p.ok) return p;
    const s = await fetchAnswer(shadow, request, sa as LiveAuth);
    if (!s.ok) return s;
    return { ok: true as const, value: [p.value, s.value] as const };
  });
  if (!answers.ok) {
    io.err(c.red(`✖ ${answers.reason}`));
    return EXIT.usage;
  }
  const [p, s] = answers.value;
  const result = differ.differ.diff(p.answer, s.answer);
  if (v.json) {
    io.out(JSON.stringify({
      request: { method, path }, route: fromRoute?.route ?? null, options,
      primary: { backend: primary.name, url: primary.url.origin, status: p.answer.status, ms: Math.round(p.ms) },
      shadow: { backend: shadow.name, url: shadow.url.origin, status: s.answer.status, ms: Math.round(s.ms) },
      match: result.match, differences: result.differences, omitted: result.omitted,
    }, null, 2));
    return result.match ? EXIT.ok : EXIT.failed;
  }
  io.out(c.bold(`${method} ${path}${v.as ? ` as ${v.as}` : ''}`));
  const width = Math.max(primary.name.length, shadow.name.length);
  io.out(`  ${primary.name.padEnd(width)}  ${primary.url.origin}  ${p.answer.status}  ${Math.round(p.ms)} ms`);
  io.out(`  ${shadow.name.padEnd(width)}  ${shadow.url.origin}  ${s.answer.status}  ${Math.round(s.ms)} ms`);
  if (fromRoute) io.out(c.dim(`  options of route ${fromRoute.route} in ${shownPath(io, routesFile)}${fromRoute.options.ignore?.length ? `: ignore ${fromRoute.options.ignore.join(', ')}` : ''}`));
  for (const warning of ctx.warnings) io.out(c.yellow(`  ${warning}`));
  if (result.match) {
    io.out(c.green('✔ same answer'));
    return EXIT.ok;
  }
  const n = result.differences.length + result.omitted;
  io.out(c.red(`✖ ${n} difference${n === 1 ? '' : 's'}`));
  for (const d of result.differences) for (const line of formatDifference(d, c, { primary: primary.name, shadow: shadow.name })) io.out(`  ${line}`);
  if (result.omitted) io.out(c.dim(`  +${result.omitted} more`));
  return EXIT.failed;
}

type AuthValues = { as?: string | undefined; password?: string | undefined; cookie?: string | undefined; token?: string | undefined; primary?: string | undefined; shadow?: string | undefined; routes?: string | undefined };
type Connected = { ok: true; table: RouteTable | undefined; routesFile: string; primary: LiveBackend; shadow: LiveBackend; warnings: string[] } | { ok: false; code: number };

/** Reads routes.yaml (when there is one) and resolves the two backends. */
async function connect(io: CliIo, v: AuthValues, names?: { primary: string; shadow: string }): Promise<Connected> {
  const routesFile = routesFilePath(io, v.routes);
  const loaded = existsSync(routesFile) ? loadRouteTable(routesFile, io.env) : undefined;
  const table = loaded?.ok ? loaded.table : undefined;
  const warnings: string[] = [];
  if (loaded && !loaded.ok) warnings.push(`${shownPath(io, routesFile)} is invalid (${loaded.errors.length} problems): using LEGACY_URL/NEW_BACKEND_URL and no route options`);
  const resolved = [v.primary ?? names?.primary ?? 'legacy', v.shadow ?? names?.shadow ?? 'new'].map((n) => resolveLiveBackend(n, io.env, table, shownPath(io, routesFile)));
  for (const r of resolved) if (!r.ok) return { ok: false, code: live.usageError(io, r.reason) };
  const [primary, shadow] = resolved.map((r) => (r as { value: LiveBackend }).value) as [LiveBackend, LiveBackend];
  if (!v.as && v.cookie && !v.token) {
    for (const b of [primary, shadow]) if (b.auth === 'jwt') warnings.push(`${b.name} uses JWTs: it ignores the cookie. The proxy's bridge mints its bearer; the CLI cannot. Use --as USER, or --token`);
  }
  return { ok: true, table, routesFile, primary, shadow, warnings };
}

async function runExport(args: string[], io: CliIo): Promise<number> {
  const c = colors(io);
  const parsed = exportCommand.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const route = parsed.values.route;
  if (!route || parsed.positionals.length) return fail('export needs --route R (and nothing else), e.g. strangler diff export --route users');
  const limit = parsed.values.limit === undefined ? 20 : Number(parsed.values.limit);
  if (!Number.isInteger(limit) || limit < 1) return fail(`--limit ${parsed.values.limit}: give a whole number from 1`);
  const file = resolve(io.cwd, parsed.values.file || io.env.DIFFS_PATH || 'data/diffs.db');
  const reader = openDiffReader(file);
  if (!reader) {
    io.err(c.red(`✖ no diffs file at ${shownPath(io, file)}: point --file or DIFFS_PATH at the proxy's`));
    return EXIT.usage;
  }
  const mismatches = reader.queries.mismatches(route, limit);
  reader.close();
  if (mismatches.length === 0) {
    io.out(c.yellow(`No recorded mismatches with their answers for route "${route}" (the newest 100 per route are kept).`));
    return EXIT.ok;
  }
  const out = resolve(io.cwd, parsed.values.out || DEFAULT_FIXTURE_DIR);
  const { written: files, kept } = writeMismatchFixtures(mismatches, out, { keepEmails: parsed.values['keep-emails'] === true });
  for (const file of kept) io.out(c.dim(`  kept     ${shownPath(io, file)} (exists)`));
  for (const f of files) io.out(`  ${c.green('written')}  ${shownPath(io, f.file)}  ${c.dim(f.paths.slice(0, 3).join(', '))}`);
  const written = files.length;
  io.out(`${written} fixture${written === 1 ? '' : 's'} written to ${shownPath(io, out)}; they expect the differences they had. After a fix, \`strangler diff refresh <file>\` records the answers again.`);
  return EXIT.ok;
}

async function runRefresh(args: string[], io: CliIo): Promise<number> {
  const c = colors(io);
  const parsed = refresh.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  if (parsed.positionals.length === 0) return fail(`refresh needs fixture files, e.g. strangler diff refresh ${DEFAULT_FIXTURE_DIR}/users-GET-users_3-42.json`);
  let code: number = EXIT.ok;
  for (const arg of parsed.positionals) {
    const file = resolve(io.cwd, arg);
    const shown = shownPath(io, file);
    const fx = existsSync(file) ? parseFixture(readFileSync(file, 'utf8')) : { ok: false as const, reason: 'no such file' };
    if (!fx.ok) {
      io.err(c.red(`✖ ${shown}: ${fx.reason}`));
      code = EXIT.usage;
      continue;
    }
    const fixture = fx.fixture;
    const { method, path } = fixture.request;
    if (UNSAFE.has(method) && !parsed.values.unsafe) {
      io.err(c.red(`✖ ${shown}: ${method} ${path} would run on both backends: pass --unsafe to refresh it`));
      code = EXIT.usage;
      continue;
    }
    const ctx = await connect(io, parsed.values, { primary: fixture.primary.backend, shadow: fixture.shadow.backend });
    if (!ctx.ok) return ctx.code;
    const request: LiveRequest = { method, path, ...(fixture.request.body !== undefined && !isRedacted(fixture.request.body) ? { body: fixture.request.body, contentType: fixture.request.contentType ?? 'application/json' } : {}) };
    const answers = await withLogin(parsed.values, io.env, [ctx.primary, ctx.shadow], async ([pa, sa]) => {
      const p = await fetchAnswer(ctx.primary, request, pa as LiveAuth);
      if (!p.ok) return p;
      const s = await fetchAnswer(ctx.shadow, request, sa as LiveAuth);
      return s.ok ? { ok: true as const, value: [p.value.answer, s.value.answer] as const } : s;
    });
    if (!answers.ok) {
      io.err(c.red(`✖ ${shown}: ${answers.reason}`));
      return EXIT.usage;
    }
    const options = replayOptions(fixture, routeShadowOptions(ctx.table, method, path)?.options);
    const differ = createDiffer(options);
    if (!differ.ok) {
      io.err(c.red(`✖ ${shown}: ${differ.errors.join('; ')}`));
      code = EXIT.usage;
      continue;
    }
    const [p, s] = answers.value;
    const result = differ.differ.diff(p, s);
    const headers = options.headers ?? [];
    writeFileSync(file, fixtureText(redactFixture({
      ...fixture,
      recordedAt: new Date().toISOString(),
      expect: result.match ? 'match' : 'differ',
      primary: { backend: ctx.primary.name, ...storedAnswer(p, headers) },
      shadow: { backend: ctx.shadow.name, ...storedAnswer(s, headers) },
      differences: result.differences.map((d) => ({ ...d })),
    }, { keepEmails: parsed.values['keep-emails'] === true })));
    if (result.match) io.out(`${c.green('✔ match ')}  ${shown}`);
    else {
      io.out(`${c.red('✖ differ')}  ${shown}  ${c.dim(result.differences.slice(0, 3).map((d) => d.path).join(', '))}`);
      if (code === EXIT.ok) code = EXIT.failed;
    }
  }
  return code;
}
