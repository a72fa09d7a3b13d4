import { resolve } from 'node:path';
import Table from 'cli-table3';
import { openHistoryReader, type HistoryEntry } from '../../proxy/src/history/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { shownPath } from './routes-file.js';

export const usage = `strangler history [route] [--limit N] [--json] [--file data/history.db]

Every change of routing, newest first: what changed, who or what changed it (cli:<user>,
admin-api, console, rollout:<gate>, file-edit), why (the gate values for rollout steps and
demotions), and when. Read from the proxy's history file (HISTORY_PATH, default
data/history.db), so it works with the proxy stopped too.

  --limit N   the newest N entries (default 50)
  --json      {"entries": [...]} as GET /__proxy/history answers`;

const command = defineCommand({ name: 'history', usage, options: { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' }, file: { type: 'string', short: 'f' } } });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  if (parsed.positionals.length > 1) return fail('name at most one route');
  const route = parsed.positionals[0];
  const limit = parsed.values.limit === undefined ? 50 : Number(parsed.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail(`--limit takes a whole number from 1 to 1000, got "${String(parsed.values.limit)}"`);
  const file = resolve(io.cwd, parsed.values.file || io.env.HISTORY_PATH || 'data/history.db');
  const reader = openHistoryReader(file);
  const entries: HistoryEntry[] = reader ? reader.list({ route, limit }) : [];
  reader?.close();
  if (parsed.values.json) {
    io.out(JSON.stringify({ entries }, null, 2));
    return EXIT.ok;
  }
  if (!reader) {
    io.out(`No routing history yet: ${shownPath(io, file)} does not exist. The proxy writes it (HISTORY_PATH) at the first change of routing; point --file or HISTORY_PATH at it.`);
    return EXIT.ok;
  }
  if (entries.length === 0) {
    io.out(route ? `No routing changes of ${route} recorded.` : 'No routing changes recorded yet.');
    return EXIT.ok;
  }
  const table = new Table({ head: ['when (UTC)', 'route', 'change', 'who', 'why'], style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [] }, colWidths: [21, 10, 40, 22, 60], wordWrap: true });
  for (const e of entries) {
    table.push([e.at.replace('T', ' ').slice(0, 19), e.route, e.change, `${e.actor.kind}:${e.actor.name}`, e.reason ?? c.dim('–')]);
  }
  io.out(table.toString());
  return EXIT.ok;
}
