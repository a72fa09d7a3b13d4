import type { CommandRow, CommandStatus } from './command.js';

/** What an admin is asked to approve: the argv and cwd the MCP server reported, bound by hash. */
export interface ApprovalBinding {
  readonly argv: readonly string[];
  readonly argvSha256: string;
  readonly cwd: string;
  /** ISO-8601; after it the command can no longer be approved. */
  readonly expiresAt: string;
}

export interface NewCommand {
  readonly userId: number;
  readonly toolName: string;
  readonly command: string;
  /** JSON text of the params the client sent. */
  readonly params: string;
  readonly at: string;
}

/**
 * A user's request rate, judged by the table both backends write: an insert is refused
 * when the user already has `calls` commands created after `since`.
 */
export interface RateWindow {
  readonly since: string;
  readonly calls: number;
}

/** The most rows one read of the change feed returns, whatever it asks for. */
export const MAX_FEED_PAGE = 500;

/** Rows ordered by (updated_at, id) strictly after this point. */
export interface FeedCursor {
  readonly updatedAt: string;
  readonly id: number;
}

/**
 * The seam between the command workflow and a backend's database code: the legacy app
 * implements it with raw SQL, the new backend with Kysely, on the same tables. Every
 * status change is one conditional UPDATE, so two processes racing on one row cannot
 * both win (SQLite serialises writers).
 */
export interface CommandStore {
  /** Records a request before it runs: status `executing`. */
  insert(command: NewCommand): Promise<CommandRow>;
  /**
   * insert, unless the user is over the rate: then undefined, and nothing was stored. One
   * statement checks and inserts, so two backends cannot both take the last place.
   */
  insertWithin(command: NewCommand, rate: RateWindow): Promise<CommandRow | undefined>;
  /**
   * executing → an end state (executed, failed, rejected), with the result if one ran.
   * Undefined when the row is gone (its user was deleted meanwhile).
   */
  finish(id: number, status: Extract<CommandStatus, 'executed' | 'failed' | 'rejected'>, result: string | null, at: string): Promise<CommandRow | undefined>;
  /**
   * executing → pending_approval, storing exactly what may be approved. With
   * `maxPending`, only while its user has fewer commands pending than that. Undefined
   * when the row is gone or the user is at the cap (find tells which).
   */
  awaitApproval(id: number, binding: ApprovalBinding, at: string, maxPending?: number): Promise<CommandRow | undefined>;
  find(id: number): Promise<CommandRow | undefined>;
  /** Newest first (id desc); every user's when userId is undefined. At most MAX_LIST_LIMIT rows, whatever `limit` says. */
  list(filter: { userId: number | undefined; status: CommandStatus | undefined; limit: number }): Promise<CommandRow[]>;
  binding(id: number): Promise<ApprovalBinding | undefined>;
  /**
   * pending_approval → executing with approved_by, only if still pending and its approval
   * has not expired at `at`. Undefined when another request (in any process) got there first.
   */
  claim(id: number, approverId: number, at: string): Promise<CommandRow | undefined>;
  /** pending_approval → rejected, on the same conditions as claim. */
  reject(id: number, at: string): Promise<CommandRow | undefined>;
  /**
   * Every pending command whose approval expired (or was never stored) → rejected, with
   * `result` (JSON text) saying why. Returns those rows. Reads first, so a call with nothing
   * to expire takes no write lock.
   */
  expirePending(at: string, result: string): Promise<CommandRow[]>;
  /**
   * Every command still `executing` whose last change is older than `before` → failed, with
   * `result` saying why: the process running it stopped (no run lasts that long). Reads first.
   */
  failAbandoned(before: string, at: string, result: string): Promise<CommandRow[]>;
  /** At most `limit` (and MAX_FEED_PAGE) rows changed after the cursor, in (updated_at, id) order: the change feed. */
  changedAfter(cursor: FeedCursor, limit: number): Promise<CommandRow[]>;
  /** mcp_sessions: an MCP session opened for a user. */
  recordSession(userId: number, sessionId: string, at: string): Promise<void>;
  touchSession(sessionId: string, at: string): Promise<void>;
}
