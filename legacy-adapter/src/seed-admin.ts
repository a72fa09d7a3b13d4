import bcrypt from 'bcryptjs';
import type { SqliteDatabase } from '../../lib/sqlite.js';

export interface AdminAccount {
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

/**
 * Creates the first admin when `users` is empty, so a fresh install can be logged into.
 * One statement, guarded by NOT EXISTS and OR IGNORE: two processes starting on the same
 * new file seed one admin between them.
 *
 * @example await seedAdminIfEmpty(db, resolveAdmin()) // → { seeded: true } on a new database
 */
export async function seedAdminIfEmpty(db: SqliteDatabase, admin: AdminAccount, rounds = 10): Promise<{ seeded: boolean }> {
  const empty = db.prepare('SELECT 1 FROM users LIMIT 1').get() === undefined;
  if (!empty) return { seeded: false };
  const hash = await bcrypt.hash(admin.password, rounds);
  const { changes } = db
    .prepare(
      `INSERT OR IGNORE INTO users (username, name, email, password, role, created_at)
       SELECT ?, ?, ?, ?, 'admin', ? WHERE NOT EXISTS (SELECT 1 FROM users)`,
    )
    .run(admin.username, 'Administrator', admin.email, hash, new Date().toISOString());
  return { seeded: changes > 0 };
}
