import { argvSha256, type CommandClient, type RunOutcome, type ToolInfo } from '../mcp-client.js';
import type { Logger } from '../logger.js';
import { recordedTimeout, resultText, toCommand, type Command, type CommandRow } from './command.js';
import { MAX_LIST_LIMIT, MAX_TIMEOUT_MS, type ExecuteInput, type ListQuery } from './command-input.js';
import { MCP_MESSAGES, notAllowed } from './command-messages.js';
import { DEFAULT_COMMAND_LIMITS, type CommandLimits } from './command-limits.js';
import type { CommandStore } from './command-store.js';

/** The logged-in user a request acts for; the role is the one read fresh for this request. */
export interface Actor {
  readonly id: number;
  readonly role: 'admin' | 'user';
}

/** What the routes and the socket answer: a body with its status, or the contract's error. */
export type Reply<T> = { ok: true; status: 200 | 202; body: T } | { ok: false; status: 400 | 403 | 404 | 409 | 503; message: string };

/** The part of lib/mcp-client's client the workflow uses. */
export type CommandRunner = Pick<CommandClient, 'listTools' | 'run' | 'mintApprovalGrant'>;

export interface CommandWorkflowDeps {
  readonly store: CommandStore;
  readonly runner: CommandRunner;
  /** How long a command may wait for an admin (MCP_APPROVAL_TTL). */
  readonly approvalTtlMs: number;
  readonly logger: Logger;
  /** Told of every row this process changes, e.g. the change feed's notify. */
  readonly onChange?: (row: CommandRow) => void;
  readonly clock?: () => number;
  /** How long GET /mcp/tools reuses the server's answer. Default 30 s. */
  readonly toolsCacheMs?: number;
  readonly limits?: Partial<CommandLimits>;
}

/**
 * No run outlives its timeout (at most MAX_TIMEOUT_MS) plus the client's grace: a row
 * still `executing` after this lost the process that was running it (a restart, a crash).
 */
const ABANDONED_AFTER_MS = MAX_TIMEOUT_MS + 5 * 60_000;
const ABANDONED = 'The backend running this command stopped before it finished: run it again';

const fail = (status: 400 | 403 | 404 | 409 | 503, message: string) => ({ ok: false, status, message }) as const;

/**
 * The /mcp behaviour both backends share (DESIGN §2, §8): each request recorded before it
 * runs, the MCP server's outcome turned into a status and an answer, and approvals that
 * run exactly the recorded argv and cwd, at most once, whichever process approves.
 * Storage is the backend's own (CommandStore); nothing here knows HTTP or SQL.
 *
 * @example
 * const workflow = createCommandWorkflow({ store, runner: createCommandClient({ url, serviceToken }), approvalTtlMs: 3_600_000, logger });
 * const reply = await workflow.execute({ id: 7, role: 'user' }, checked.value);
 * if (reply.ok) res.status(reply.status).json(reply.body); else res.status(reply.status).json({ error: reply.message });
 */
export function createCommandWorkflow(deps: CommandWorkflowDeps) {
  const { store, runner, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const toolsCacheMs = deps.toolsCacheMs ?? 30_000;
  const limits: CommandLimits = { ...DEFAULT_COMMAND_LIMITS, ...deps.limits };
  const now = () => new Date(clock()).toISOString();
  const changed = (row: CommandRow): CommandRow => {
    deps.onChange?.(row);
    return row;
  };
  let toolsCache: { tools: ToolInfo[]; until: number } | undefined;

  /** Approvals past their time → rejected; runs whose process died → failed. */
  async function expire(): Promise<void> {
    const minutes = Math.round(deps.approvalTtlMs / 60_000);
    const note = resultText('', `Not approved within ${minutes >= 1 ? `${minutes} min` : `${Math.round(deps.approvalTtlMs / 1000)} s`}: run the command again to ask again`);
    for (const row of await store.expirePending(now(), note)) changed(row);
    const before = new Date(clock() - ABANDONED_AFTER_MS).toISOString();
    for (const row of await store.failAbandoned(before, now(), resultText('', ABANDONED))) changed(row);
  }

  async function finish(row: CommandRow, status: 'executed' | 'failed' | 'rejected', result: string | null): Promise<CommandRow> {
    const done = await store.finish(row.id, status, result, now());
    if (!done) throw new CommandGone(row.id);
    return changed(done);
  }

  /** The MCP server's answer for a recorded row → the row's next state and the reply. */
  async function settle(row: CommandRow, outcome: RunOutcome, approved: boolean): Promise<Reply<Command>> {
    if (outcome.sessionId) {
      store.touchSession(outcome.sessionId, now()).catch((err: unknown) => logger.warn({ err }, 'could not update mcp_sessions.last_active_at'));
    }
    if (outcome.ok) {
      return { ok: true, status: 200, body: toCommand(await finish(row, outcome.status, JSON.stringify(outcome.result))) };
    }
    const log = { command: row.id, kind: outcome.kind, rule: outcome.rule, detail: outcome.message };
    switch (outcome.kind) {
      case 'unavailable':
        logger.error(log, 'the MCP server is unavailable: the command is recorded as failed');
        await finish(row, 'failed', resultText('', MCP_MESSAGES.unavailable));
        return fail(503, MCP_MESSAGES.unavailable);
      case 'approval_required':
        if (!approved && outcome.argv && outcome.argvSha256 && outcome.cwd !== undefined) {
          const binding = { argv: outcome.argv, argvSha256: outcome.argvSha256, cwd: outcome.cwd, expiresAt: new Date(clock() + deps.approvalTtlMs).toISOString() };
          const pending = await store.awaitApproval(row.id, binding, now(), limits.pendingPerUser);
          if (pending) return { ok: true, status: 202, body: toCommand(changed(pending)) };
          if (!(await store.find(row.id))) throw new CommandGone(row.id);
          const full = notAllowed(`${limits.pendingPerUser} of your commands are already waiting for an admin: wait for a decision before asking for more`, 'limits:pending');
          await finish(row, 'rejected', resultText('', full));
          return fail(403, full);
        }
        logger.error(log, approved ? 'the MCP server asked again for an approval it was given' : 'the MCP server asked for approval without saying what to approve');
        return { ok: true, status: 200, body: toCommand(await finish(row, 'failed', resultText('', outcome.message))) };
      case 'denied':
        logger.info(log, 'the MCP server refused a command');
        if (approved) return { ok: true, status: 200, body: toCommand(await finish(row, 'failed', resultText('', notAllowed(outcome.message, outcome.rule)))) };
        await finish(row, 'rejected', resultText('', notAllowed(outcome.message, outcome.rule)));
        return fail(403, notAllowed(outcome.message, outcome.rule));
      case 'invalid':
        if (approved) return { ok: true, status: 200, body: toCommand(await finish(row, 'failed', resultText('', outcome.message))) };
        await finish(row, 'rejected', resultText('', outcome.message));
        return fail(400, outcome.message);
      default:
        logger.warn(log, 'a command failed before it ran');
        return { ok: true, status: 200, body: toCommand(await finish(row, 'failed', resultText('', outcome.message))) };
    }
  }

  /** Runs `attempt`; a bug in it still leaves the row in an end state, never `executing` forever. */
  async function guarded(row: CommandRow, attempt: () => Promise<Reply<Command>>): Promise<Reply<Command>> {
    try {
      return await attempt();
    } catch (err) {
      // Deleted with its user while it ran: there is nothing left to answer about.
      if (err instanceof CommandGone) return fail(404, MCP_MESSAGES.notFound);
      await finish(row, 'failed', resultText('', 'Internal error: the command may not have run')).catch(() => undefined);
      throw err;
    }
  }

  return {
    async tools(actor: Actor): Promise<Reply<ToolInfo[]>> {
      if (toolsCache && toolsCache.until > clock()) return { ok: true, status: 200, body: toolsCache.tools };
      const listed = await runner.listTools({ id: actor.id, role: actor.role });
      if (!listed.ok) {
        logger.error({ kind: listed.kind, detail: listed.message }, 'tools/list failed');
        return fail(503, MCP_MESSAGES.unavailable);
      }
      const tools = listed.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
      toolsCache = { tools, until: clock() + toolsCacheMs };
      return { ok: true, status: 200, body: tools };
    },

    async execute(actor: Actor, input: ExecuteInput): Promise<Reply<Command>> {
      const rate = { since: new Date(clock() - limits.windowMs).toISOString(), calls: limits.calls };
      const inserted = await store.insertWithin({ userId: actor.id, toolName: input.toolName, command: input.command, params: JSON.stringify(input.params), at: now() }, rate);
      if (!inserted) {
        logger.info({ user: actor.id }, 'a command was refused for the rate limit before it was recorded');
        return fail(403, notAllowed(`Too many commands: at most ${limits.calls} in ${Math.round(limits.windowMs / 1000)} s; try again shortly`, 'limits:rate'));
      }
      const row = changed(inserted);
      return guarded(row, async () => {
        const outcome = await runner.run({ user: { id: actor.id, role: actor.role }, command: input.command, cwd: input.cwd, timeoutMs: input.timeoutMs });
        return settle(row, outcome, false);
      });
    },

    async approve(admin: Actor, id: number): Promise<Reply<Command>> {
      await expire();
      const row = await store.find(id);
      if (!row) return fail(404, MCP_MESSAGES.notFound);
      if (row.status !== 'pending_approval') return fail(409, MCP_MESSAGES.notPending);
      const binding = await store.binding(id);
      const claimed = await store.claim(id, admin.id, now());
      if (!claimed || !binding) return fail(409, MCP_MESSAGES.notPending);
      changed(claimed);
      logger.info({ command: id, approver: admin.id, argv: binding.argv, cwd: binding.cwd }, 'command approved');
      return guarded(claimed, async () => {
        if (argvSha256(binding.argv) !== binding.argvSha256) {
          return { ok: true, status: 200, body: toCommand(await finish(claimed, 'failed', resultText('', 'The stored approval does not match its command: nothing was run'))) };
        }
        const grant = await runner.mintApprovalGrant({ userId: claimed.user_id, argvSha256: binding.argvSha256, cwd: binding.cwd, approverId: admin.id });
        const timeoutMs = recordedTimeout(claimed);
        const outcome = await runner.run({ user: { id: claimed.user_id }, command: claimed.command, cwd: binding.cwd, timeoutMs, approvalGrant: grant });
        return settle(claimed, outcome, true);
      });
    },

    async reject(admin: Actor, id: number): Promise<Reply<Command>> {
      await expire();
      const row = await store.find(id);
      if (!row) return fail(404, MCP_MESSAGES.notFound);
      const rejected = row.status === 'pending_approval' ? await store.reject(id, now()) : undefined;
      if (!rejected) return fail(409, MCP_MESSAGES.notPending);
      logger.info({ command: id, by: admin.id }, 'command rejected');
      return { ok: true, status: 200, body: toCommand(changed(rejected)) };
    },

    /** Owner or admin; anyone else gets the same 404 as a command that does not exist. */
    async get(actor: Actor, id: number | undefined): Promise<Reply<Command>> {
      if (id === undefined) return fail(404, MCP_MESSAGES.notFound);
      await expire();
      const row = await store.find(id);
      if (!row || (row.user_id !== actor.id && actor.role !== 'admin')) return fail(404, MCP_MESSAGES.notFound);
      return { ok: true, status: 200, body: toCommand(row) };
    },

    async list(actor: Actor, query: ListQuery): Promise<Reply<Command[]>> {
      await expire();
      const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_LIST_LIMIT);
      const rows = await store.list({ userId: actor.role === 'admin' ? undefined : actor.id, status: query.status, limit });
      return { ok: true, status: 200, body: rows.map(toCommand) };
    },

    /** Expired approvals → rejected (the change feed calls this between polls). */
    expire,
  };
}

export type CommandWorkflow = ReturnType<typeof createCommandWorkflow>;

class CommandGone extends Error {
  constructor(id: number) {
    super(`command ${id} was deleted while it ran`);
  }
}
