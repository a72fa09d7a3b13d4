import { loadRouteTable } from '../../proxy/src/config/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath, shownPath } from './routes-file.js';

export const usage = `strangler validate [file] [--strict]

Checks a routes file the way the proxy will load it (with this shell's environment for
\${VAR} in backend URLs) and prints every problem with its line. Exit 1 when invalid;
with --strict, warnings fail too (for CI).

  file          default: --file, ROUTES_FILE, or ./routes.yaml`;

const command = defineCommand({ name: 'validate', usage, options: { file: { type: 'string', short: 'f' }, strict: { type: 'boolean' } } });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  if (parsed.positionals.length > 1) return parsed.fail(`one file at a time (got ${parsed.positionals.join(', ')})`);
  const file = routesFilePath(io, parsed.positionals[0] ?? parsed.values.file);
  const shown = shownPath(io, file);
  const result = loadRouteTable(file, io.env);
  if (!result.ok) {
    const n = result.errors.length;
    io.err(c.red(`✖ ${shown}: ${n} problem${n === 1 ? '' : 's'}; the proxy would refuse this file:`));
    for (const e of result.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  const { table, warnings } = result;
  const names = table.routes.map((r) => r.name).join(', ') || 'none';
  io.out(c.green(`✔ ${shown} is valid: ${table.routes.length} route${table.routes.length === 1 ? '' : 's'} (${names}), backends ${[...table.backends.keys()].join(', ')}, default ${table.defaultBackend}`));
  for (const w of warnings) io.out(c.yellow(`  warning: ${w}`));
  return warnings.length && parsed.values.strict ? EXIT.failed : EXIT.ok;
}
