import { loadRouteTable, type RouteEdit, type RouteTable } from '../../proxy/src/config/index.js';
import { applyRouteEdits } from './apply-route-edits.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath } from './routes-file.js';

export const usage = `strangler cutover <route|--all> <backend> [--percent N] [--file routes.yaml]

Sends a route (or every route) to <backend> by editing routes.yaml: comments kept,
validated before writing, written atomically. The running proxy picks it up within a second.

  --percent N   canary instead: a sticky N% of users go to <backend>, the rest stay on the
                target. 0 removes the canary; 100 moves the target and removes the canary.
  --all         every route in the file

Examples:
  strangler cutover users new --percent 10
  strangler cutover users new
  strangler cutover --all new`;

const command = defineCommand({ name: 'cutover', usage, options: { all: { type: 'boolean' }, percent: { type: 'string', short: 'p' }, file: { type: 'string', short: 'f' } } });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const all = parsed.values.all === true;
  const want = all ? 1 : 2;
  if (parsed.positionals.length !== want) return fail(all ? 'with --all, name only the backend' : 'name a route (or --all) and a backend');
  const [routeName, backend] = (all ? [undefined, parsed.positionals[0]] : parsed.positionals) as [string | undefined, string];
  let percent: number | undefined;
  if (parsed.values.percent !== undefined) {
    percent = Number(parsed.values.percent);
    if (String(parsed.values.percent).trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      return fail(`--percent must be a number from 0 to 100, got "${String(parsed.values.percent)}"`);
    }
  }

  const file = routesFilePath(io, parsed.values.file);
  const loaded = loadRouteTable(file, io.env);
  if (!loaded.ok) {
    io.err(c.red('The routes file is invalid; fix it first (strangler validate):'));
    for (const e of loaded.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  const planned = plan(loaded.table, routeName, backend, percent);
  if (!planned.ok) {
    io.err(c.red(`strangler cutover: ${planned.error}`));
    return EXIT.failed;
  }
  for (const note of planned.notes) io.out(c.dim(note));
  const what = percent === undefined || percent >= 100 ? `on ${backend}` : `with a ${percent}% canary to ${backend}`;
  return applyRouteEdits(io, file, planned.edits, all ? `every route is already ${what}` : `${routeName} is already ${what}`);
}

type Plan = { ok: true; edits: RouteEdit[]; notes: string[] } | { ok: false; error: string };

/** What cutover means for each route; pure, so the rules are tested without files. */
export function plan(table: RouteTable, routeName: string | undefined, backend: string, percent: number | undefined): Plan {
  const known = [...table.backends.keys()];
  if (!table.backends.has(backend)) return { ok: false, error: `unknown backend "${backend}" (known: ${known.join(', ')})` };
  const routes = routeName === undefined ? table.routes : table.routes.filter((r) => r.name === routeName);
  if (routeName !== undefined && routes.length === 0) {
    return { ok: false, error: `unknown route "${routeName}" (known: ${table.routes.map((r) => r.name).join(', ') || 'none'})` };
  }
  const edits: RouteEdit[] = [];
  const notes: string[] = [];
  for (const route of routes) {
    if (percent === undefined || percent >= 100) {
      edits.push({ route: route.name, change: { target: backend, canary: null } });
    } else if (percent <= 0) {
      if (route.canary?.to === backend) edits.push({ route: route.name, change: { canary: null } });
    } else if (route.target === backend) {
      if (routeName !== undefined) {
        return { ok: false, error: `${route.name} already sends everyone to ${backend}; a canary sends a share elsewhere (e.g. strangler cutover ${route.name} ${known.find((b) => b !== backend) ?? '<backend>'} --percent ${percent}), or roll back first` };
      }
      notes.push(`${route.name}: already on ${backend}, left alone`);
    } else {
      edits.push({ route: route.name, change: { canary: { to: backend, percent } } });
    }
  }
  return { ok: true, edits, notes };
}
