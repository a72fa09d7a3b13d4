import { ConfigError } from '../../lib/env.js';
import { PortInUseError } from '../../lib/listen.js';
import { StartupError } from '../../lib/process-lifecycle.js';
import { runProxyProcess } from '../../proxy/src/proxy-process.js';
import { proxyWorkers } from '../../proxy/src/process-setup.js';
import { defineCommand } from './define-command.js';
import { EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath } from './routes-file.js';

export const usage = `strangler proxy [--routes FILE] [--port N] [--host ADDRESS] [--workers N|auto]

Runs the proxy alone, in front of the backends the routes file names (any Express apps
that already run). It follows changes to the file within a second, and SIGHUP; SIGTERM or
Ctrl-C stops it after in-flight requests.

  --routes FILE     default: ROUTES_FILE, else ./routes.yaml (-f, --file also work)
  --port N          default: PROXY_PORT, else 5634; 0 takes any free port
  --host ADDRESS    default: PROXY_HOST, else HOST, else 127.0.0.1 (0.0.0.0 for every interface)
  --workers N|auto  worker processes that route, one primary keeping the routes file, admin API
                    and diffs (node:cluster); auto: one per core. Default: PROXY_WORKERS, else 1

Environment: PROXY_ADMIN_TOKEN guards /__proxy/routes and the other admin endpoints;
NODE_ENV=production refuses missing or development secrets; a .env file here is read.
Check the routes file first with \`strangler validate\`.`;

const command = defineCommand({
  name: 'proxy',
  usage,
  options: { routes: { type: 'string' }, file: { type: 'string', short: 'f' }, port: { type: 'string', short: 'p' }, host: { type: 'string' }, workers: { type: 'string', short: 'w' } },
});

/**
 * `strangler proxy`. Once the proxy listens it owns the process: the returned promise
 * never settles, and the proxy's own signal handlers end the process. Start-up problems
 * (a busy port, refused secrets) resolve with an exit code instead.
 */
export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  if (parsed.positionals.length) return fail(`unexpected argument "${parsed.positionals[0]}": the routes file goes after --routes, e.g. strangler proxy --routes ${parsed.positionals[0]}`);
  const { routes, file, port: portText, host, workers: workersText } = parsed.values;
  if (routes !== undefined && file !== undefined && routes !== file) return fail(`--routes ${routes} and --file ${file} name two files: give one`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) return fail(`--port must be a whole number from 0 to 65535, got "${portText}"`);
  }
  if (host !== undefined && !host.trim()) return fail('--host needs an address, e.g. --host 0.0.0.0');
  let workers: number | undefined;
  if (workersText !== undefined) {
    try {
      workers = proxyWorkers(workersText);
    } catch {
      return fail(`--workers must be a whole number from 1 to 64, or auto (one per core); got "${workersText}"`);
    }
  }
  try {
    await runProxyProcess({
      routesFile: routesFilePath(io, routes ?? file),
      ...(port === undefined ? {} : { port }),
      ...(host === undefined ? {} : { host }),
      ...(workers === undefined ? {} : { workers }),
      env: io.env,
    });
  } catch (err) {
    if (err instanceof PortInUseError && port !== undefined) io.err(`strangler proxy: port ${port} is already in use: stop what holds it, or pass another --port (0 takes any free port)`);
    else if (err instanceof ConfigError || err instanceof PortInUseError || err instanceof StartupError) io.err(`strangler proxy: ${err.message}`);
    else throw err;
    return EXIT.failed;
  }
  return new Promise<number>(() => {});
}
