import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import Table from 'cli-table3';
import { openDatabase, type SqliteDatabase } from '../../lib/sqlite.js';
import { backupDatabase, type BackupProgress, type BackupResult } from '../../new-backend/src/db/backup.js';
import { createKysely } from '../../new-backend/src/db/connect.js';
import { migrateToLatest, migrationStatus, type MigrationState } from '../../new-backend/src/db/migrator.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo, type Colors } from './io.js';

export const usage = `strangler db <migrate|backup|status> [--database data/app.db]

The shared SQLite database (DATABASE_PATH, else data/app.db).

  migrate   back the file up, then apply every pending migration (all or nothing)
  backup    copy the live file to <its folder>/backups/<name>-<UTC time>.db
  status    which migrations are applied, when, and which are pending

  --database PATH   another file than DATABASE_PATH`;

const SUBCOMMANDS = ['migrate', 'backup', 'status'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const command = defineCommand({ name: 'db', usage, options: { database: { type: 'string', short: 'd' } } });

/**
 * `strangler db …`. Returns the exit code; all output goes through `io`.
 *
 * @example await run(['migrate'], io)
 */
export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const [action, extra] = parsed.positionals;
  if (!action || !SUBCOMMANDS.includes(action as Subcommand) || extra !== undefined) {
    return parsed.fail(!action ? 'say what to do' : extra !== undefined ? `unexpected argument ${extra}` : `unknown subcommand "${action}"`);
  }
  const path = resolve(io.cwd, parsed.values.database ?? io.env.DATABASE_PATH ?? 'data/app.db');
  const shown = relative(io.cwd, path) || path;
  const exists = existsSync(path);
  if (!exists && action !== 'migrate') {
    io.err(c.red(`✖ no database at ${shown}: start the app once (npm start), run \`strangler db migrate\`, or point DATABASE_PATH or --database at the file`));
    return EXIT.failed;
  }
  const sqlite = openDatabase(path);
  const db = createKysely(sqlite);
  try {
    switch (action as Subcommand) {
      case 'backup':
        return (await backup(sqlite, path, io, c)) ? EXIT.ok : EXIT.failed;
      case 'status':
        return status(await migrationStatus(db), shown, io, c);
      case 'migrate': {
        const states = await migrationStatus(db);
        const pending = states.filter((m) => !m.executedAt).map((m) => m.name);
        if (pending.length === 0) {
          io.out(`${c.green('✔')} ${shown} is up to date (${states.length} migrations applied)`);
          return EXIT.ok;
        }
        let copy: BackupResult | undefined;
        if (exists && hasTables(sqlite)) {
          copy = await backup(sqlite, path, io, c);
          if (!copy) return EXIT.failed;
        } else {
          io.out(`${c.dim('·')} ${shown} is new: nothing to back up`);
        }
        io.out(`applying ${pending.length} migration${pending.length === 1 ? '' : 's'} to ${shown}: ${pending.join(', ')}`);
        const outcome = await migrateToLatest(db);
        if (!outcome.ok) {
          io.err(c.red(`✖ migration ${outcome.failed ?? ''} failed: ${outcome.reason}`));
          io.err(`  nothing was applied (one transaction)${copy ? `; the backup is ${relative(io.cwd, copy.file)}` : ''}`);
          return EXIT.failed;
        }
        for (const name of outcome.applied) io.out(`  ${c.green('✔')} ${name}`);
        io.out(`${c.green('✔')} ${shown} migrated: ${outcome.applied.length} applied`);
        return EXIT.ok;
      }
    }
  } finally {
    await db.destroy();
  }
}

/** The copy, or undefined after saying why there is none. */
async function backup(sqlite: SqliteDatabase, path: string, io: CliIo, c: Colors): Promise<BackupResult | undefined> {
  const sizeBefore = statSync(path).size;
  io.out(`backing up ${relative(io.cwd, path) || path} (${formatBytes(sizeBefore)})…`);
  const progress = progressReporter(io);
  try {
    const copy = await backupDatabase(sqlite, path, { onProgress: progress.report });
    progress.done();
    io.out(`${c.green('✔')} backup ${relative(io.cwd, copy.file)} (${formatBytes(copy.bytes)})`);
    return copy;
  } catch (err) {
    io.err(c.red(`✖ backup failed: ${(err as Error).message}: check the backups folder is writable and the disk has room`));
    return undefined;
  }
}

/** One line per quarter, and only for a copy big enough to take a while (16 MiB at 4 KiB pages). */
function progressReporter(io: CliIo) {
  let shown = 0;
  let total = 0;
  return {
    report({ totalPages, remainingPages }: BackupProgress): void {
      total = totalPages;
      if (totalPages < 4096) return;
      const percent = Math.floor(((totalPages - remainingPages) / totalPages) * 100);
      if (percent >= shown + 25) {
        shown = percent - (percent % 25);
        io.out(`  ${shown}% (${totalPages - remainingPages}/${totalPages} pages)`);
      }
    },
    done(): void {
      if (total >= 4096 && shown < 100) io.out(`  100% (${total}/${total} pages)`);
    },
  };
}

function status(states: readonly MigrationState[], shown: string, io: CliIo, c: Colors): number {
  const table = new Table({
    head: ['migration', 'state', 'applied at (UTC)'],
    style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [] },
  });
  for (const m of states) {
    const state = !m.known ? c.yellow('applied, unknown to this version') : m.executedAt ? c.green('applied') : c.yellow('pending');
    table.push([m.name, state, m.executedAt ? m.executedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') : '']);
  }
  const pending = states.filter((m) => !m.executedAt).length;
  io.out(`${c.bold('Database')} ${shown}`);
  io.out(table.toString());
  io.out(pending ? c.yellow(`${pending} pending: run \`strangler db migrate\` (it backs the file up first)`) : `${c.green('✔')} up to date`);
  return EXIT.ok;
}

function hasTables(sqlite: SqliteDatabase): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
