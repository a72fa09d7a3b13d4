import { loadRouteTable, routeTableToJson, updateRoutesInFile, type RouteEdit } from '../../proxy/src/config/index.js';
import { colors, EXIT, type CliIo } from './io.js';
import { confirmLoaded } from './proxy-admin.js';
import { shownPath } from './routes-file.js';
import { recordCliChange } from './record-cli-change.js';

/**
 * The shared tail of cutover and rollback: one validated atomic write, the changes in green
 * (or "nothing to change"), then a short wait for the running proxy to confirm it loaded them.
 */
export async function applyRouteEdits(io: CliIo, file: string, edits: readonly RouteEdit[], nothingMessage: string): Promise<number> {
  const c = colors(io);
  const since = new Date();
  const before = loadRouteTable(file, io.env);
  const result = updateRoutesInFile(file, edits, io.env);
  if (!result.ok) {
    io.err(c.red(`Nothing written to ${shownPath(io, file)}:`));
    for (const e of result.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  if (result.changes.length === 0) {
    io.out(`Nothing to change: ${nothingMessage}.`);
    return EXIT.ok;
  }
  for (const change of result.changes) io.out(c.green(`✔ ${change}`));
  io.out(c.dim(`  written to ${shownPath(io, file)}`));

  const after = loadRouteTable(file, io.env);
  if (!after.ok) return EXIT.ok; // changed again under us; the next status shows it
  if (before.ok) for (const note of recordCliChange(io, before.table, after.table)) io.out(c.yellow(note));
  const confirmation = await confirmLoaded(io, file, routeTableToJson(after.table), since);
  switch (confirmation.state) {
    case 'loaded':
      io.out(c.green(`✔ the proxy at ${confirmation.url} is routing with it`));
      return EXIT.ok;
    case 'down':
      io.out(`The proxy at ${confirmation.url} is not running (${confirmation.reason}); it will use this file when it starts.`);
      return EXIT.ok;
    case 'refused':
      io.out(c.yellow(`Could not ask the proxy at ${confirmation.url} whether it loaded the change: ${confirmation.reason}.`));
      return EXIT.ok;
    case 'other-file':
      io.out(c.yellow(`The proxy at ${confirmation.url} reads ${confirmation.source}, not this file: edit that one (--file) for it to change.`));
      return EXIT.ok;
    case 'rejected':
      io.err(c.red(`The proxy at ${confirmation.url} refused the new file and keeps its previous routing:`));
      for (const e of confirmation.errors) io.err(`  ${e}`);
      io.err('  (it validates with its own environment: check the variables its backend URLs use)');
      return EXIT.failed;
    case 'pending':
      io.out(c.yellow(`The proxy at ${confirmation.url} has not picked the change up within 2 s (pending: ${confirmation.differences.join('; ')}). Check its log, or send it SIGHUP.`));
      return EXIT.ok;
  }
}
