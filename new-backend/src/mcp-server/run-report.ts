import type { CommandReport, Outcome } from './command-report.js';
import type { RunResult } from './run/process-runner.js';

/** How a run ended, as the tool reports it: only a normal end is `ran`; the rest carry a rule and a reason. */
export function runReport(r: RunResult, rule: string, timeoutMs: number, ctx: { argv: string[]; cwd: string; approverId: number | undefined }): CommandReport {
  let outcome: Outcome = 'ran';
  let reportRule = rule;
  let reason: string | undefined;
  if (r.spawnError) {
    outcome = 'error';
    reason = `The program could not be started (${r.spawnError})`;
  } else if (r.timedOut) {
    outcome = 'timeout';
    reportRule = 'timeout';
    reason = `Timed out after ${timeoutMs} ms: the program and everything it started were killed`;
  } else if (r.flooded) {
    outcome = 'output_limit';
    reportRule = 'limits:output';
    reason = 'The program wrote far more output than can be kept and was stopped';
  } else if (r.cancelled) {
    outcome = 'cancelled';
    reportRule = 'cancelled';
    reason = 'The request was cancelled: the program was killed';
  }
  return {
    outcome,
    ran: r.spawnError === undefined,
    stdout: r.stdout,
    stderr: r.stderr,
    exit_code: r.exitCode,
    signal: r.signal,
    duration_ms: r.durationMs,
    truncated: r.truncated,
    timed_out: r.timedOut,
    rule: reportRule,
    ...(reason ? { reason } : {}),
    argv: ctx.argv,
    cwd: ctx.cwd,
    ...(ctx.approverId !== undefined ? { approved_by: ctx.approverId } : {}),
  };
}
