import type { Generated, InsertType, SelectType } from 'kysely';

/**
 * The shared database as the new backend sees it. The first four tables are the legacy
 * app's (adopted unchanged by migration 0001); the rest are added by later migrations.
 * `COLUMNS` below repeats every column at run time, and a test compares it with
 * `PRAGMA table_info` on a migrated file, so these types cannot drift from the live schema.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  mcp_sessions: McpSessionsTable;
  mcp_commands: McpCommandsTable;
  mcp_approvals: McpApprovalsTable;
  revoked_tokens: RevokedTokensTable;
  user_token_state: UserTokenStateTable;
  refresh_tokens: RefreshTokensTable;
  login_throttle: LoginThrottleTable;
}

export type Role = 'admin' | 'user';
export type CommandStatus = 'pending_approval' | 'rejected' | 'executing' | 'executed' | 'failed';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  /** bcrypt hash; never leaves the repository layer. */
  password: string;
  role: Generated<Role>;
  /** ISO-8601 UTC with milliseconds. */
  created_at: Generated<string>;
}

/** express-session's rows: `sess` is its JSON, `expires_at` epoch ms. */
export interface SessionsTable {
  sid: string;
  sess: string;
  expires_at: number;
}

export interface McpSessionsTable {
  id: Generated<number>;
  user_id: number;
  session_id: string;
  created_at: string;
  last_active_at: string;
}

export interface McpCommandsTable {
  id: Generated<number>;
  user_id: number;
  tool_name: string;
  command: string;
  /** JSON text. */
  params: Generated<string>;
  status: CommandStatus;
  /** JSON text or null. */
  result: string | null;
  approved_by: number | null;
  created_at: string;
  updated_at: string;
}

/** What an admin may approve for a pending command (migration 0004): the exact argv and cwd, until expires_at (ISO-8601). */
export interface McpApprovalsTable {
  command_id: number;
  argv_json: string;
  argv_sha256: string;
  cwd: string;
  expires_at: string;
}

/** The access-token denylist, keyed by (iss, jti); `expires_at` epoch seconds (exp + clock tolerance). */
export interface RevokedTokensTable {
  iss: string;
  jti: string;
  expires_at: number;
}

/** Tokens issued before `tokens_valid_after` (epoch seconds) are refused: set by a password change. */
export interface UserTokenStateTable {
  user_id: number;
  tokens_valid_after: number;
}

/** Opaque refresh tokens, stored as sha256 hex, rotated within a family. Times in epoch seconds. */
/** Login attempt counters (lib/login-throttle), read and written with its own SQL by both backends. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_at: number;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  user_id: number;
  issued_at: number;
  expires_at: number;
  family_expires_at: number;
  /** Set when the token is exchanged; presenting it again is a replay. */
  used_at: number | null;
  revoked_at: number | null;
  /** The access token issued with this refresh token: logout finds the family by it. */
  access_jti: string;
  access_expires_at: number;
}

export type SqlType = 'INTEGER' | 'TEXT';
/** `generated`: the column has a default (or is an INTEGER primary key), so inserts may omit it. */
export interface ColumnSpec {
  readonly type: SqlType;
  readonly nullable?: true;
  readonly generated?: true;
}

const int = { type: 'INTEGER' } as const;
const text = { type: 'TEXT' } as const;
const serial = { type: 'INTEGER', generated: true } as const;

/** Every table and column of `Database`, at run time. */
export const COLUMNS = {
  users: {
    id: serial, username: text, name: text, email: text, password: text,
    role: { type: 'TEXT', generated: true }, created_at: { type: 'TEXT', generated: true },
  },
  sessions: { sid: text, sess: text, expires_at: int },
  mcp_sessions: { id: serial, user_id: int, session_id: text, created_at: text, last_active_at: text },
  mcp_commands: {
    id: serial, user_id: int, tool_name: text, command: text, params: { type: 'TEXT', generated: true }, status: text,
    result: { type: 'TEXT', nullable: true }, approved_by: { type: 'INTEGER', nullable: true }, created_at: text, updated_at: text,
  },
  mcp_approvals: { command_id: int, argv_json: text, argv_sha256: text, cwd: text, expires_at: text },
  revoked_tokens: { iss: text, jti: text, expires_at: int },
  user_token_state: { user_id: int, tokens_valid_after: int },
  refresh_tokens: {
    token_hash: text, family_id: text, user_id: int, issued_at: int, expires_at: int, family_expires_at: int,
    used_at: { type: 'INTEGER', nullable: true }, revoked_at: { type: 'INTEGER', nullable: true }, access_jti: text, access_expires_at: int,
  },
  login_throttle: { key: text, failures: int, last_at: int },
} as const satisfies { readonly [T in keyof Database]: { readonly [C in keyof Database[T]]-?: ColumnSpec } };

// Compile-time half of the proof: each TypeScript column type agrees with its runtime spec
// (SQL type, nullability, default). A mismatch names the column in the error below.
type Expected<S extends ColumnSpec> = S['type'] extends 'INTEGER' ? number : string;
type IsNullable<C> = null extends SelectType<C> ? true : false;
type IsGenerated<C> = undefined extends InsertType<C> ? true : false;
type Flag<S, K extends string> = S extends { readonly [k in K]: true } ? true : false;
type ColumnAgrees<C, S extends ColumnSpec> = [Exclude<SelectType<C>, null>] extends [Expected<S>]
  ? [IsNullable<C>, IsGenerated<C>] extends [Flag<S, 'nullable'>, Flag<S, 'generated'>] ? true : false
  : false;
type Mismatched = {
  [T in keyof Database]: {
    [C in keyof Database[T]]: C extends keyof (typeof COLUMNS)[T]
      ? (typeof COLUMNS)[T][C] extends ColumnSpec
        ? ColumnAgrees<Database[T][C], (typeof COLUMNS)[T][C]> extends true ? never : `${T}.${C & string}`
        : never
      : never;
  }[keyof Database[T]];
}[keyof Database];
export const TYPES_AGREE_WITH_COLUMNS: [Mismatched] extends [never] ? true : `types and COLUMNS disagree on ${Mismatched}` = true;
