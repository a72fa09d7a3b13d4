import { z } from 'zod';

export const OUTCOMES = ['ran', 'timeout', 'output_limit', 'cancelled', 'denied', 'approval_required', 'limited', 'invalid', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The tool's structured result, for every outcome (the SDK client validates
 * structuredContent against this even on `isError` results). Only `ran` is a success;
 * `ran: true` says a program was started, so its exit and output are real.
 */
export const CommandReportSchema = z.object({
  outcome: z.enum(OUTCOMES),
  ran: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  duration_ms: z.number().int().min(0),
  truncated: z.boolean(),
  timed_out: z.boolean(),
  rule: z.string().optional().describe('Id of the policy or limit rule that decided, e.g. "program:ls" or "shell-operators"'),
  reason: z.string().optional().describe('Why, in words a person can act on'),
  argv: z.array(z.string()).optional(),
  cwd: z.string().optional().describe('Working directory, relative to the workspace'),
  argv_sha256: z.string().optional().describe('SHA-256 of the exact argv JSON; an approval grant binds it'),
  approved_by: z.number().int().optional(),
});

export type CommandReport = z.infer<typeof CommandReportSchema>;

export const CommandInputSchema = z.strictObject({
  command: z.string().min(1).max(4096).describe('One program and its arguments, e.g. "ls -la notes". No shell: ; | & $() and globs are refused.'),
  cwd: z.string().max(1024).optional().describe('Working directory relative to the workspace (default: the workspace root)'),
  timeout_ms: z.number().int().positive().optional().describe('Kill the program after this many ms (default 30000; capped by the policy)'),
});

export type CommandInput = z.infer<typeof CommandInputSchema>;

/** A report for a call that ran nothing. */
export function refusal(outcome: Exclude<Outcome, 'ran' | 'timeout' | 'output_limit' | 'cancelled'>, rule: string, reason: string, extra: Partial<CommandReport> = {}): CommandReport {
  return { outcome, ran: false, stdout: '', stderr: '', exit_code: null, signal: null, duration_ms: 0, truncated: false, timed_out: false, rule, reason, ...extra };
}
