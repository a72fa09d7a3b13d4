import { loadRouteTable } from '../../proxy/src/config/index.js';
import { applyRouteEdits } from './apply-route-edits.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath } from './routes-file.js';

export const usage = `strangler rollback <route|--all> [--file routes.yaml]

Sends a route (or every route) back to the default backend (routes.yaml "default",
the legacy app) and removes its canary. Comments kept, validated, written atomically;
the running proxy picks it up within a second.

Examples:
  strangler rollback users
  strangler rollback --all`;

const command = defineCommand({ name: 'rollback', usage, options: { all: { type: 'boolean' }, file: { type: 'string', short: 'f' } } });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const all = parsed.values.all === true;
  if (parsed.positionals.length !== (all ? 0 : 1)) return fail(all ? '--all takes no route name' : 'name one route, or --all');
  const routeName = parsed.positionals[0];

  const file = routesFilePath(io, parsed.values.file);
  const loaded = loadRouteTable(file, io.env);
  if (!loaded.ok) {
    io.err(c.red('The routes file is invalid; fix it first (strangler validate):'));
    for (const e of loaded.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  const { table } = loaded;
  const routes = all ? table.routes : table.routes.filter((r) => r.name === routeName);
  if (routes.length === 0 && !all) {
    io.err(c.red(`strangler rollback: unknown route "${routeName}" (known: ${table.routes.map((r) => r.name).join(', ') || 'none'})`));
    return EXIT.failed;
  }
  const home = table.defaultBackend;
  const edits = routes.map((r) => ({ route: r.name, change: { target: home, canary: null } }));
  return applyRouteEdits(io, file, edits, `${all ? 'every route is' : `${routeName} is`} already on ${home} with no canary`);
}
