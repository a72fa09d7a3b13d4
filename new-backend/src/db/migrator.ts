import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';

export interface MigrationState {
  readonly name: string;
  /** When it was applied; undefined while pending. */
  readonly executedAt: Date | undefined;
  /** False for a migration the file records but this code does not have (a newer version migrated it). */
  readonly known: boolean;
}

export type MigrateOutcome =
  | { ok: true; applied: string[] }
  | { ok: false; failed: string | undefined; reason: string };

// Migrations take any database type: they describe the schema as it was at their time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

function createMigrator(db: AnyKysely): Migrator {
  // Transactions are ours (see migrateToLatest): Kysely's SQLite adapter opens none.
  return new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) }, disableTransactions: true });
}

/**
 * Every known migration with when it was applied. Read-only: Kysely's own getMigrations()
 * would create its bookkeeping tables, and a status check must not write to the file.
 */
export async function migrationStatus(db: AnyKysely): Promise<MigrationState[]> {
  const table = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${DEFAULT_MIGRATION_TABLE}`.execute(db);
  const applied = new Map<string, string>();
  if (table.rows.length) {
    const rows = await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db);
    for (const row of rows.rows) applied.set(row.name, row.timestamp);
  }
  const known = Object.keys(MIGRATIONS).map((name) => {
    const at = applied.get(name);
    return { name, executedAt: at === undefined ? undefined : new Date(at), known: true };
  });
  const unknown = [...applied].filter(([name]) => !(name in MIGRATIONS)).map(([name, at]) => ({ name, executedAt: new Date(at), known: false }));
  return [...known, ...unknown].sort((a, b) => a.name.localeCompare(b.name));
}

export async function pendingMigrations(db: AnyKysely): Promise<string[]> {
  return (await migrationStatus(db)).filter((m) => !m.executedAt).map((m) => m.name);
}

/**
 * Applies every pending migration inside one `BEGIN IMMEDIATE` transaction: SQLite DDL is
 * transactional, so a failure leaves the file exactly as it was, and the write lock taken
 * up front makes a second process migrating at the same moment wait (busy timeout) and
 * then find nothing left to do, instead of failing halfway. Kysely's SQLite dialect has a
 * single connection, so every statement of the run lands inside that transaction.
 * Returns what ran rather than throwing.
 */
export async function migrateToLatest(db: AnyKysely): Promise<MigrateOutcome> {
  try {
    await sql.raw('BEGIN IMMEDIATE').execute(db);
  } catch (err) {
    return { ok: false, failed: undefined, reason: `cannot lock the database for migration: ${err instanceof Error ? err.message : String(err)}` };
  }
  let committed = false;
  try {
    const { error, results = [] } = await createMigrator(db).migrateToLatest();
    if (error !== undefined) {
      return {
        ok: false,
        failed: results.find((r) => r.status === 'Error')?.migrationName,
        reason: error instanceof Error ? error.message : String(error),
      };
    }
    await sql.raw('COMMIT').execute(db);
    committed = true;
    return { ok: true, applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  } finally {
    if (!committed) await sql.raw('ROLLBACK').execute(db);
  }
}
