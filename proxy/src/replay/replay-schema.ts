import { z } from 'zod';

/**
 * routes.yaml `replay`: how `strangler replay` starts each backend (and any service they
 * need, such as the MCP server) on its own copy of the database. Commands are argv lists
 * (no shell); `env` values may hold placeholders, filled per process:
 *
 *   {db}           the database copy this process works on
 *   {port}         a free port for this process
 *   {dir}          an empty folder of its own (workspaces, audit files)
 *   {url:<name>}   the origin of service <name> started for the same side
 *   {jwks}         where the replay's bridge publishes its public keys
 */
const placeholderText = z.string();

export const replayProcessSchema = z.strictObject({
  command: z.array(z.string().min(1)).min(1),
  env: z.record(z.string(), placeholderText).default({}),
  /** Path polled until it answers below 500 (default `/`). */
  ready: z.string().startsWith('/').default('/'),
  /** How long start-up may take, in ms (default 60000). */
  ready_timeout_ms: z.number().int().positive().max(600_000).default(60_000),
});

export const replaySchema = z.strictObject({
  /** The SQLite file the backends use; the replay backs it up and works on copies only. */
  database: z.string().min(1),
  /** Per backend of `backends`: how to start it on a copy. */
  backends: z.record(z.string(), replayProcessSchema),
  /** Started once per side before its backends (e.g. the MCP server), reachable as {url:<name>}. */
  services: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a-z, 0-9, - and _'), replayProcessSchema).default({}),
  compare: z.strictObject({
    /** Tables left out of the database comparison (sessions, migration bookkeeping, …). */
    skip_tables: z.array(z.string().min(1)).default([]),
    /** Columns left out, per table; `"*"` applies to every table (timestamps, password hashes). */
    ignore_columns: z.record(z.string(), z.array(z.string().min(1))).default({}),
    /** JSON paths left out of every answer's comparison, besides each route's shadow `ignore`. */
    ignore: z.array(z.string().min(1)).default([]),
  }).default({ skip_tables: [], ignore_columns: {}, ignore: [] }),
});

export type ReplayBlock = z.output<typeof replaySchema>;
export type ReplayProcessBlock = z.output<typeof replayProcessSchema>;
