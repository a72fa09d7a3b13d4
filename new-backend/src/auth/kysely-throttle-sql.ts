import { CompiledQuery, type Kysely } from 'kysely';
import type { ThrottleSql } from '../../../lib/login-throttle/login-throttle.js';

/** ThrottleSql through Kysely: the shared statements of lib/login-throttle, run as written. */
export function kyselyThrottleSql<DB>(db: Kysely<DB>): ThrottleSql {
  return {
    async run(sql, params) {
      const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, [...params]));
      return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0n) };
    },
  };
}
