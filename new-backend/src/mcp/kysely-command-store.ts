import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { MAX_LIST_LIMIT } from '../../../lib/mcp-commands/command-input.js';
import { MAX_FEED_PAGE, type ApprovalBinding, type CommandStore, type RateWindow } from '../../../lib/mcp-commands/command-store.js';
import type { Database } from '../db/schema.js';

/** The command's approval is stored and has not expired at `at`. */
function stillApprovable(at: string) {
  return (eb: ExpressionBuilder<Database, 'mcp_commands'>) =>
    eb.exists(
      eb.selectFrom('mcp_approvals').select('mcp_approvals.command_id')
        .whereRef('mcp_approvals.command_id', '=', 'mcp_commands.id')
        .where('mcp_approvals.expires_at', '>', at),
    );
}

/**
 * mcp_commands, mcp_approvals and mcp_sessions through Kysely. Each status change is one
 * conditional UPDATE … RETURNING: the row that comes back is the one this process
 * changed, and a race lost (the other backend approved first) comes back empty.
 */
export function createKyselyCommandStore(db: Kysely<Database>): CommandStore {
  return {
    async insert(c) {
      return db.insertInto('mcp_commands')
        .values({ user_id: c.userId, tool_name: c.toolName, command: c.command, params: c.params, status: 'executing', result: null, approved_by: null, created_at: c.at, updated_at: c.at })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async insertWithin(c, rate: RateWindow) {
      // One statement: the user's calls-th newest command, if created inside the window,
      // means the window is full (read backwards on the (user_id, id) index).
      const full = db.selectFrom('mcp_commands').select('created_at').where('user_id', '=', c.userId)
        .orderBy('id', 'desc').limit(1).offset(rate.calls - 1).as('nth');
      return db.insertInto('mcp_commands')
        .columns(['user_id', 'tool_name', 'command', 'params', 'status', 'result', 'approved_by', 'created_at', 'updated_at'])
        .expression(db.selectNoFrom((eb) => [
          eb.val(c.userId).as('user_id'), eb.val(c.toolName).as('tool_name'), eb.val(c.command).as('command'), eb.val(c.params).as('params'),
          eb.val('executing').as('status'), sql<null>`NULL`.as('result'), sql<null>`NULL`.as('approved_by'), eb.val(c.at).as('created_at'), eb.val(c.at).as('updated_at'),
        ]).where((eb) => eb.not(eb.exists(eb.selectFrom(full).select('nth.created_at').where('nth.created_at', '>', rate.since)))))
        .returningAll()
        .executeTakeFirst();
    },

    async finish(id, status, result, at) {
      return db.updateTable('mcp_commands').set({ status, result, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirst();
    },

    async awaitApproval(id, b: ApprovalBinding, at, maxPending = Number.MAX_SAFE_INTEGER) {
      return db.transaction().execute(async (trx) => {
        const row = await trx.updateTable('mcp_commands').set({ status: 'pending_approval', updated_at: at })
          .where('id', '=', id).where('status', '=', 'executing')
          .where((eb) => eb(
            eb.selectFrom('mcp_commands as p').select((p) => p.fn.countAll<number>().as('n'))
              .whereRef('p.user_id', '=', 'mcp_commands.user_id').where('p.status', '=', 'pending_approval'),
            '<', maxPending,
          ))
          .returningAll().executeTakeFirst();
        if (!row) return undefined;
        const binding = { argv_json: JSON.stringify(b.argv), argv_sha256: b.argvSha256, cwd: b.cwd, expires_at: b.expiresAt };
        await trx.insertInto('mcp_approvals').values({ command_id: id, ...binding })
          .onConflict((oc) => oc.column('command_id').doUpdateSet(binding))
          .execute();
        return row;
      });
    },

    async find(id) {
      return db.selectFrom('mcp_commands').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async list({ userId, status, limit }) {
      let query = db.selectFrom('mcp_commands').selectAll();
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      if (status !== undefined) query = query.where('status', '=', status);
      return query.orderBy('id', 'desc').limit(Math.min(limit, MAX_LIST_LIMIT)).execute();
    },

    async binding(id) {
      const row = await db.selectFrom('mcp_approvals').selectAll().where('command_id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      let argv: string[];
      try {
        argv = JSON.parse(row.argv_json) as string[];
      } catch {
        return undefined;
      }
      return { argv, argvSha256: row.argv_sha256, cwd: row.cwd, expiresAt: row.expires_at };
    },

    async claim(id, approverId, at) {
      return db.updateTable('mcp_commands').set({ status: 'executing', approved_by: approverId, updated_at: at })
        .where('id', '=', id).where('status', '=', 'pending_approval').where(stillApprovable(at))
        .returningAll().executeTakeFirst();
    },

    async reject(id, at) {
      return db.updateTable('mcp_commands').set({ status: 'rejected', updated_at: at })
        .where('id', '=', id).where('status', '=', 'pending_approval').where(stillApprovable(at))
        .returningAll().executeTakeFirst();
    },

    async expirePending(at, result) {
      // Read first: an UPDATE would take the write lock on every call, even with nothing to do.
      const any = await db.selectFrom('mcp_commands')
        .leftJoin('mcp_approvals', 'mcp_approvals.command_id', 'mcp_commands.id')
        .select('mcp_commands.id')
        .where('mcp_commands.status', '=', 'pending_approval')
        .where((eb) => eb.or([eb('mcp_approvals.expires_at', 'is', null), eb('mcp_approvals.expires_at', '<=', at)]))
        .limit(1)
        .executeTakeFirst();
      if (!any) return [];
      return db.updateTable('mcp_commands').set({ status: 'rejected', result, updated_at: at })
        .where('status', '=', 'pending_approval').where((eb) => eb.not(stillApprovable(at)(eb)))
        .returningAll().execute();
    },

    async failAbandoned(before, at, result) {
      const any = await db.selectFrom('mcp_commands').select('id').where('status', '=', 'executing').where('updated_at', '<', before).limit(1).executeTakeFirst();
      if (!any) return [];
      return db.updateTable('mcp_commands').set({ status: 'failed', result, updated_at: at })
        .where('status', '=', 'executing').where('updated_at', '<', before)
        .returningAll().execute();
    },

    async changedAfter(cursor, limit) {
      return db.selectFrom('mcp_commands').selectAll()
        .where((eb) => eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(cursor.updatedAt, cursor.id)))
        .orderBy('updated_at').orderBy('id').limit(Math.min(limit, MAX_FEED_PAGE))
        .execute();
    },

    async recordSession(userId, sessionId, at) {
      await db.insertInto('mcp_sessions').values({ user_id: userId, session_id: sessionId, created_at: at, last_active_at: at })
        .onConflict((oc) => oc.column('session_id').doUpdateSet({ last_active_at: at }))
        .execute();
    },

    async touchSession(sessionId, at) {
      await db.updateTable('mcp_sessions').set({ last_active_at: at }).where('session_id', '=', sessionId).execute();
    },
  };
}
