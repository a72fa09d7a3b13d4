import Table from 'cli-table3';
import { diffRouting, loadRouteTable, routeTableToJson, type RouteTableJson } from '../../proxy/src/config/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo, type Colors } from './io.js';
import { fetchRunningTable, servesOtherFile } from './proxy-admin.js';
import { routesFilePath, shownPath } from './routes-file.js';

export const usage = `strangler status [--file routes.yaml] [--json]

Shows the routes file as a table (route, paths, methods, target, canary, shadow) and,
when the proxy is running (PROXY_URL, else http://127.0.0.1:\${PROXY_PORT:-5634}, asked
with PROXY_ADMIN_TOKEN), what it has loaded, since when, and any difference from the file.

  --json   the file's table and the proxy's answer as JSON`;

const command = defineCommand({ name: 'status', usage, options: { file: { type: 'string', short: 'f' }, json: { type: 'boolean' } }, maxPositionals: 0 });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const file = routesFilePath(io, parsed.values.file);
  const shown = shownPath(io, file);
  const loaded = loadRouteTable(file, io.env);
  const running = await fetchRunningTable(io);

  if (parsed.values.json) {
    io.out(JSON.stringify({
      file: loaded.ok ? { ...routeTableToJson(loaded.table), warnings: loaded.warnings } : { source: file, errors: loaded.errors },
      proxy: running.state === 'ok' ? { url: running.url, ...running.table } : { url: running.url, state: running.state, reason: running.reason },
    }, null, 2));
    return loaded.ok ? EXIT.ok : EXIT.failed;
  }

  if (loaded.ok) {
    const json = routeTableToJson(loaded.table);
    io.out(`${c.bold('Routes file')} ${shown}: ${json.routes.length} route${json.routes.length === 1 ? '' : 's'}, default ${c.cyan(json.default)}`);
    io.out(routesTable(json, c, io.color));
    io.out(`${c.bold('Backends')}  ${json.backends.map((b) => `${c.cyan(b.name)} ${b.url} (${b.auth})`).join(' · ')}`);
    for (const w of loaded.warnings) io.out(c.yellow(`warning: ${w}`));
  } else {
    io.err(c.red(`✖ ${shown} is invalid (the proxy keeps its last good table until it is fixed):`));
    for (const e of loaded.errors) io.err(`  ${e}`);
  }

  io.out('');
  switch (running.state) {
    case 'down':
      io.out(`${c.bold('Proxy')} ${running.url}: not running (${running.reason}). Start it with npm start.`);
      break;
    case 'refused':
      io.out(c.yellow(`${c.bold('Proxy')} ${running.url}: cannot read its table: ${running.reason}.`));
      break;
    case 'ok': {
      const t = running.table;
      io.out(`${c.bold('Proxy')} ${running.url}: routing with ${t.source}, loaded ${t.loadedAt} (${ago(t.loadedAt)})`);
      if (t.lastError) {
        io.out(c.red(`  its last reload (${t.lastError.at}) was refused; it keeps the table above:`));
        for (const e of t.lastError.errors) io.out(c.red(`    ${e}`));
      }
      if (servesOtherFile(t, file)) {
        io.out(c.yellow(`  that is not ${shown}: the table above is not what it serves`));
        io.out(routesTable(t, c, io.color));
      } else if (loaded.ok) {
        const json = routeTableToJson(loaded.table);
        const routing = diffRouting(t, { ...json, backends: t.backends });
        if (routing.length === 0) io.out(c.green('  ✔ same routing as the file'));
        else {
          io.out(c.yellow('  differs from the file (file changes it has not loaded yet; it reloads within a second):'));
          for (const d of routing) io.out(c.yellow(`    ${d}`));
        }
        for (const b of t.backends) {
          const mine = json.backends.find((x) => x.name === b.name);
          if (mine && mine.url !== b.url) io.out(c.dim(`  note: the proxy resolves backend ${b.name} to ${b.url} (this shell: ${mine.url})`));
        }
      }
    }
  }
  return loaded.ok ? EXIT.ok : EXIT.failed;
}

function routesTable(json: RouteTableJson, c: Colors, color: boolean): string {
  const table = new Table({
    head: ['route', 'paths', 'methods', 'target', 'canary', 'shadow'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] },
  });
  for (const r of json.routes) {
    table.push([
      r.name,
      r.paths.join(', '),
      r.methods ? r.methods.join(', ') : c.dim('any'),
      r.target === json.default ? r.target : c.green(r.target),
      r.canary ? c.yellow(`${r.canary.percent}% -> ${r.canary.to}`) : c.dim('-'),
      r.shadow ? `${r.shadow.to} (${r.shadow.methods.join(', ')}${r.shadow.percent < 100 ? `, ${r.shadow.percent}%` : ''})` : c.dim('-'),
    ]);
  }
  table.push([c.dim('(other)'), c.dim('anything else'), c.dim('any'), json.default, c.dim('-'), c.dim('-')]);
  return table.toString();
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return `${Math.floor(s / 86400)} days ago`;
}
