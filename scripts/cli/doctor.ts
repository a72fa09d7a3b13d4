import { relative, resolve } from 'node:path';
import { loadRouteTable, type BackendConfig, type RouteTable } from '../../proxy/src/config/index.js';
import { defineCommand } from './define-command.js';
import { checkAdapter } from './doctor/adapter-check.js';
import { checkBackendAnswers } from './doctor/backend-answers.js';
import { fail, pass, type Check } from './doctor/check.js';
import { checkCookie } from './doctor/cookie-check.js';
import { checkJwks } from './doctor/jwks-check.js';
import { checkRedisStore } from './doctor/redis-check.js';
import { sessionDefaults } from './doctor/session-settings.js';
import { checkSqliteStore } from './doctor/sqlite-check.js';
import { colors, EXIT, processIo, type CliIo, type Colors } from './io.js';
import { proxyUrl } from './proxy-admin.js';
import { routesFilePath, shownPath } from './routes-file.js';

export const usage = `strangler doctor [--file routes.yaml] [--cookie VALUE] [--timeout MS]

Checks what the proxy needs, as it would see it (routes.yaml read with this shell's
environment), and prints each problem with its fix:

  - each backend answers HTTP;
  - the session backend's store can be read (sqlite: the table and columns of its layout,
    and the users table; redis: PING and keys with the prefix; adapter: it answers with the
    key and refuses without it);
  - with --cookie, the session cookie resolves to a user, and which claims a bridged token
    would carry (or why not: a bad signature, no such session, a store error);
  - the running proxy (PROXY_URL, else http://127.0.0.1:\${PROXY_PORT:-5634}) serves
    /__proxy/jwks.json with a key.

Exit 0 when every check passes (warnings allowed), 1 otherwise.

  --cookie    the session cookie's value (s%3A…) or a whole Cookie header
  --timeout   how long each backend may take to answer (default 2000 ms)`;

interface Group {
  readonly title: string;
  readonly checks: Check[];
}

const command = defineCommand({ name: 'doctor', usage, options: { file: { type: 'string', short: 'f' }, cookie: { type: 'string' }, timeout: { type: 'string' } }, maxPositionals: 0 });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const timeoutMs = parsed.values.timeout === undefined ? 2000 : Number(parsed.values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) return parsed.fail(`--timeout takes milliseconds from 1 to 60000, got "${parsed.values.timeout}"`);
  const file = routesFilePath(io, parsed.values.file);
  const shown = shownPath(io, file);
  const loaded = loadRouteTable(file, io.env);
  if (!loaded.ok) {
    io.err(c.red(`✖ ${shown}: the proxy would refuse this file:`));
    for (const e of loaded.errors) io.err(`  ${e}`);
    io.err('  fix: correct each line named above (npx strangler validate checks the file alone)');
    return EXIT.failed;
  }
  const { table } = loaded;
  io.out(`${c.bold('routes')} ${shown}: backends ${[...table.backends.values()].map((b) => `${b.name} (${b.auth}${b.session ? `, ${b.session.source} source` : ''})`).join(', ')}`);

  const defaults = sessionDefaults(io);
  const groups = await Promise.all([...table.backends.values()].map(async (b): Promise<Group> => ({
    title: `${b.name}  ${b.url.origin}`,
    checks: [await checkBackendAnswers(b, timeoutMs), ...(await sessionChecks(b, io, defaults, timeoutMs))],
  })));
  const cookie = parsed.values.cookie;
  const bridge: Check[] = [];
  if (cookie !== undefined) {
    // Opening a source that failed its check would only repeat the failure (and opening a
    // missing SQLite file would create it): the cookie waits for the store to be fixed.
    const storeFailed = groups.some((g) => g.checks.some((x) => x.state === 'fail' && x.what !== 'answers'));
    bridge.push(storeFailed
      ? fail('cookie', 'not resolved: the session store (or its secrets) failed its check above', 'fix that first, then run doctor again with --cookie')
      : await checkCookie(table, cookie, { ...defaults, secureCookies: io.env.COOKIE_SECURE === 'true' }));
  }
  const proxy = proxyUrl(io.env);
  bridge.push(await checkJwks(table, proxy, timeoutMs));
  groups.push({ title: `bridge  ${proxy}`, checks: bridge });

  for (const g of groups) print(io, c, g);
  if (cookie === undefined && hasSessionBackend(table)) io.out(c.dim('\n(pass --cookie VALUE, a logged-in browser\'s session cookie, to see it resolve to a user and claims)'));
  const all = groups.flatMap((g) => g.checks);
  const failed = all.filter((x) => x.state === 'fail').length;
  const warned = all.filter((x) => x.state === 'warn').length;
  io.out('');
  if (failed) io.out(c.red(`✖ ${failed} of ${all.length} checks failed${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`));
  else io.out(c.green(`✔ all ${all.length} checks passed${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`));
  return failed ? EXIT.failed : EXIT.ok;
}

/** The store (or adapter) of a session backend, and for store sources the secrets that verify its cookies. */
async function sessionChecks(backend: BackendConfig, io: CliIo, defaults: ReturnType<typeof sessionDefaults>, timeoutMs: number): Promise<Check[]> {
  const config = backend.session;
  if (!config) return [];
  const at = `backends.${backend.name}.session`;
  if (config.source === 'adapter') return [await checkAdapter(backend, timeoutMs)];
  const secrets = config.secrets ?? defaults.sessionSecrets;
  const secretCheck = secrets.length
    ? pass('secrets', `${secrets.length} session secret${secrets.length === 1 ? '' : 's'} from ${config.secrets ? `${at}.secrets` : defaults.secretsFrom}`)
    : fail('secrets', 'no session secret to verify cookies with', `set SESSION_SECRET (or ${at}.secrets) to the legacy app's session secret`);
  if (config.source === 'redis') return [await checkRedisStore(backend.name, config, timeoutMs), secretCheck];
  const path = config.sqlite.path === undefined ? defaults.databasePath : resolve(io.cwd, config.sqlite.path);
  const resolved = relative(io.cwd, path).startsWith('..') ? path : shownPath(io, path);
  return [checkSqliteStore(backend.name, config, path, resolved), secretCheck];
}

function hasSessionBackend(table: RouteTable): boolean {
  return [...table.backends.values()].some((b) => b.session);
}

function print(io: CliIo, c: Colors, group: Group): void {
  io.out('');
  io.out(c.bold(group.title));
  const width = Math.max(...group.checks.map((x) => x.what.length));
  for (const x of group.checks) {
    const mark = x.state === 'pass' ? c.green('✔') : x.state === 'warn' ? c.yellow('!') : c.red('✖');
    io.out(`  ${mark} ${x.what.padEnd(width)}  ${x.detail}`);
    if (x.fix) io.out(`    ${' '.repeat(width)}  ${x.state === 'fail' ? c.red('fix:') : c.yellow('fix:')} ${x.fix}`);
  }
}
