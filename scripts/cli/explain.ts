import { KNOWN_METHODS } from '../../proxy/src/config/http-methods.js';
import { canaryIdentity, chooseBackend, loadRouteTable, normalizeRequestPath, type RouteTable } from '../../proxy/src/config/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { routesFilePath } from './routes-file.js';

export const usage = `strangler explain METHOD PATH [--user ID] [--session SID] [--addr IP] [--file routes.yaml]

Shows where the proxy would send a request with the routes file as it is: which route
and pattern match, which backend answers and why, the canary bucket, and shadowing.
The canary is sticky per user id, else per session id, else per client address.

Examples:
  strangler explain GET /users/7 --user 7
  strangler explain POST /auth/login --addr 10.0.0.5`;

const command = defineCommand({
  name: 'explain',
  usage,
  options: { user: { type: 'string', short: 'u' }, session: { type: 'string', short: 's' }, addr: { type: 'string' }, file: { type: 'string', short: 'f' } },
});

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  if (parsed.positionals.length !== 2) return fail('give a method and a path, e.g. GET /users/7');
  const method = (parsed.positionals[0] as string).toUpperCase();
  if (!KNOWN_METHODS.has(method)) return fail(`"${parsed.positionals[0]}" is not an HTTP method`);
  const file = routesFilePath(io, parsed.values.file);
  const loaded = loadRouteTable(file, io.env);
  if (!loaded.ok) {
    io.err(colors(io).red('The routes file is invalid; fix it first (strangler validate):'));
    for (const e of loaded.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  const who = { userId: parsed.values.user, sessionId: parsed.values.session, clientAddress: parsed.values.addr };
  for (const line of explain(loaded.table, method, parsed.positionals[1] as string, who, colors(io))) io.out(line);
  return EXIT.ok;
}

type Who = Parameters<typeof canaryIdentity>[0];

/** The explanation as lines (pure, for tests): label, then what the proxy does. */
export function explain(table: RouteTable, method: string, rawPath: string, who: Who, c = colors({ color: false } as CliIo)): string[] {
  const line = (label: string, text: string) => `${c.bold(label.padEnd(9))}${text}`;
  const out = [line('request', `${method} ${rawPath}`)];
  const norm = normalizeRequestPath(rawPath);
  if (!norm.ok) return [...out, line('answer', c.red(`400 {"error":"Bad Request"} from the proxy itself: ${norm.reason}`))];
  if (norm.path !== rawPath.split(/[?#]/)[0]) out.push(line('path', `${norm.path} (normalised)`));
  if (norm.path === '/__proxy' || norm.path.startsWith('/__proxy/')) {
    return [...out, line('answer', 'the proxy itself (/__proxy/ is never forwarded)')];
  }
  const match = table.match(method, norm.path);
  const route = match.route;
  if (route) {
    out.push(line('route', `${route.name} (routes[${route.index}]: ${route.paths.join(', ')}${route.methods ? `; ${route.methods.join(', ')}` : ''})`));
    out.push(line('pattern', match.pattern ?? ''));
  } else {
    out.push(line('route', `none matches ${method} ${norm.path}`));
  }
  const identity = canaryIdentity(who);
  const choice = chooseBackend(table, match, identity);
  const backend = table.backends.get(choice.backend);
  out.push(line('backend', `${c.green(choice.backend)}${backend ? ` ${backend.url.origin} (${backend.auth === 'jwt' ? 'auth jwt: the proxy turns the session into a bearer token' : 'auth session: cookie passed as is'})` : ''}`));
  out.push(line('why', choice.reason));
  if (route?.canary && route.canary.percent > 0 && route.canary.percent < 100) {
    if (choice.canary) {
      out.push(line('canary', `${identity} is in bucket ${choice.canary.bucket.toFixed(2)} of 100; buckets below ${choice.canary.percent} go to ${choice.canary.to}`));
    } else {
      out.push(line('canary', `${route.canary.percent}% to ${route.canary.to}: give --user ID (or --session SID, --addr IP) to see which side a user lands on`));
    }
  }
  const shadow = route?.shadow;
  if (shadow) {
    const sameSide = shadow.to === choice.backend ? ` (${shadow.to} also answered it, so the copy compares it with itself)` : '';
    out.push(line('shadow', shadow.methods.includes(method)
      ? `${shadow.percent}% of ${shadow.methods.join(', ')} requests are copied to ${shadow.to} and the answers compared${sameSide}`
      : `not mirrored: the shadow covers ${shadow.methods.join(', ')} only`));
  }
  return out;
}
