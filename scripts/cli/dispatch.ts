// The `strangler` dispatcher. Each subcommand lives in scripts/cli/<name>.ts and is imported only
// when used, so `strangler status` never loads the database code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closest } from '../../proxy/src/config/problem.js';
import { processIo, EXIT, type CliIo } from './io.js';

// The commands sit beside this file: .ts under tsx (a checkout), .js in the installed build.
const EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

interface CommandModule {
  run(args: string[], io?: CliIo): Promise<number>;
}

const COMMANDS: Record<string, string> = {
  status: 'the routes file as a table, and what the running proxy has loaded',
  cutover: '<route|--all> <backend> [--percent N]   move a route, or canary a share of its users',
  rollback: '<route|--all>   back to the default backend, canary removed',
  explain: 'METHOD PATH [--user ID]   which route, backend and canary bucket a request gets',
  validate: '[file]   check a routes file, every problem with its line',
  'diff-report': 'shadow traffic: match rate and top differences per route',
  diff: 'METHOD PATH --as USER   compare one request live on both backends',
  db: 'migrate|backup   the shared database: migrations (backed up first), backups',
  proxy: '[--routes FILE] [--port N]   run the proxy alone, in front of any backends',
  keys: 'rotate|list   the keys bridged tokens are signed with (JWKS at /__proxy/jwks.json)',
  doctor: '[--cookie VALUE]   check backends, the session store or adapter, a cookie, the JWKS; each problem with its fix',
  record: '--route R[,R2] [--duration 10m | --count N] [--out FILE]   record real exchanges through the proxy',
  replay: 'FILE [--json] [--fail-under PCT] [--rollback-check]   replay a recording on both backends, on database copies',
  rollout: '<route> --to B [--steps 1,5,25,50,100] [--every 10m] [--gates …] | --pause | --resume | --abort | --status   step a canary up on evidence',
  history: '[route] [--json]   every routing change: what, who, why, when',
};

const HELP = `strangler — move an Express backend to a new one, route by route

Usage: strangler <command> [options]      (also: npx strangler …, npm run <command> -- …)

Commands:
${Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(12)} ${text}`).join('\n')}

Every command takes --help. The routes file is --file, else ROUTES_FILE, else ./routes.yaml.
The running proxy is PROXY_URL, else http://127.0.0.1:\${PROXY_PORT:-5634}.`;

/** Runs one subcommand; the exit code is the value, so tests run it in-process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] && rest[0] in COMMANDS) return main([rest[0], '--help'], io);
    io.out(HELP);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (!(command in COMMANDS)) {
    const guess = closest(command, Object.keys(COMMANDS));
    io.err(`strangler: unknown command "${command}"${guess ? ` (did you mean "${guess}"?)` : ''}. Run strangler --help for the list.`);
    return EXIT.usage;
  }
  const file = new URL(`./${command}${EXTENSION}`, import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    io.err(`strangler ${command}: not available in this ${EXTENSION === '.ts' ? 'checkout' : 'build'} (${fileURLToPath(file)} is missing).`);
    return EXIT.failed;
  }
  const mod = (await import(file.href)) as Partial<CommandModule>;
  if (typeof mod.run !== 'function') {
    io.err(`strangler ${command}: ${fileURLToPath(file)} exports no run(args) function.`);
    return EXIT.failed;
  }
  return mod.run(rest, io);
}
