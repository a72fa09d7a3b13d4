import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Ends the legacy app's sessions of a user in the shared database, but those `keep` names:
 * a password change made here logs the user out on the legacy side too, except in the
 * browser that made it (OWASP's rule; lib/password-change.ts is the legacy app's half).
 */
export async function endLegacySessions(db: Kysely<Database>, userId: number, keep: (sid: string) => boolean): Promise<number> {
  const { rows } = await sql<{ sid: string }>`SELECT sid FROM sessions WHERE json_extract(sess, '$.userId') = ${userId}`.execute(db);
  const ended = rows.map((r) => r.sid).filter((sid) => !keep(sid));
  if (ended.length) await sql`DELETE FROM sessions WHERE sid IN (${sql.join(ended)})`.execute(db);
  return ended.length;
}
