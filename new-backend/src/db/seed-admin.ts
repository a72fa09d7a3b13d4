import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SeedAdmin {
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
}

/**
 * Inserts the admin only while `users` is empty, in one statement, so the legacy app and
 * the new backend starting together on a fresh file seed exactly one admin between them.
 * Returns true when this call created it.
 */
export async function seedAdminIfEmpty(db: Kysely<Database>, admin: SeedAdmin): Promise<boolean> {
  try {
    const result = await sql`
      INSERT INTO users (username, name, email, password, role)
      SELECT ${admin.username}, 'Administrator', ${admin.email}, ${admin.passwordHash}, 'admin'
      WHERE NOT EXISTS (SELECT 1 FROM users)`.execute(db);
    return (result.numAffectedRows ?? 0n) > 0n;
  } catch (err) {
    // The other process won the race between our check and our insert.
    if (err instanceof Error && /UNIQUE constraint failed/.test(err.message)) return false;
    throw err;
  }
}
