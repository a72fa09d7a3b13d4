import { Migrator, sql, type Kysely } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';

export interface MigrationState {
  readonly name: string;
  /** When it was applied; undefined while pending. */
  readonly executedAt: Date | undefined;
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

export async function migrationStatus(db: AnyKysely): Promise<MigrationState[]> {
  const infos = await createMigrator(db).getMigrations();
  return infos.map((m) => ({ name: m.name, executedAt: m.executedAt }));
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
