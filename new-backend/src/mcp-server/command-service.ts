import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import { argvSha256 } from '../../../lib/mcp-client/protocol.js';
import type { GrantVerifier } from './approvals/approval-grant.js';
import type { AuditDecision, AuditLog } from './audit/audit-log.js';
import { parseCommand } from './command/parse-command.js';
import { refusal, type CommandInput, type CommandReport } from './command-report.js';
import type { Identity } from './identity/identity.js';
import type { CallLimiter } from './limits/call-limiter.js';
import { checkBinary } from './policy/check-binary.js';
import { evaluatePolicy } from './policy/evaluate-policy.js';
import type { PolicySource } from './policy/policy.js';
import type { ProcessRunner } from './run/process-runner.js';
import { runReport } from './run-report.js';
import { confinePath } from './workspace/confine-path.js';

export interface CommandServiceDeps {
  readonly policy: PolicySource;
  /** Real path of the workspace root. */
  readonly workspace: string;
  readonly runner: ProcessRunner;
  readonly audit: AuditLog;
  readonly verifyGrant: GrantVerifier;
  readonly limiter: CallLimiter;
  readonly logger: Logger;
}

export interface CallContext {
  readonly identity: Identity;
  readonly sessionId: string | null;
  readonly transport: AuditDecision['transport'];
  /** An approval grant from `_meta["strangler/approval"]`. */
  readonly grant?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * terminal_command from input to report, transport-agnostic: limits, screening and
 * tokenizing, cwd confinement, policy, path confinement, approval grant, then the
 * contained run. Every call is audited (T10) and every refusal is a report carrying its
 * rule (T11), never a throw.
 */
export function createCommandService(deps: CommandServiceDeps) {
  const { audit, logger } = deps;

  async function execute(input: CommandInput, ctx: CallContext): Promise<CommandReport> {
    const base = {
      identity: ctx.identity.key,
      actingUserId: ctx.identity.userId,
      role: ctx.identity.role,
      sessionId: ctx.sessionId,
      transport: ctx.transport,
      command: input.command,
    };
    const refuse = (report: CommandReport, argv: readonly string[] | null = null, cwd: string | null = null): CommandReport => {
      try {
        audit.record({ ...base, argv, cwd, outcome: report.outcome, rule: report.rule ?? null, reason: report.reason ?? null });
      } catch (err) {
        logger.error({ err }, 'audit log write failed');
      }
      logger.info({ identity: base.identity, session: base.sessionId, argv, outcome: report.outcome, rule: report.rule }, 'terminal_command refused');
      return report;
    };

    const policy = deps.policy.current();
    const admitted = deps.limiter.admitCall(ctx.identity.key);
    if (!admitted.ok) return refuse(refusal('limited', admitted.rule, admitted.reason));

    const parsed = parseCommand(input.command);
    if (!parsed.ok) return refuse(refusal(parsed.kind, parsed.rule, parsed.reason));
    const argv = parsed.argv;

    const cwdInput = input.cwd ?? '.';
    const cwd = confinePath(deps.workspace, deps.workspace, cwdInput);
    if (!cwd.ok) return refuse(refusal('denied', 'workspace:cwd', `The working directory ${cwd.reason}`, { argv }), argv, cwdInput);
    if (!cwd.exists || !isDirectory(cwd.real)) {
      return refuse(refusal('invalid', 'workspace:cwd', `The working directory "${cwdInput}" is not a directory in the workspace`, { argv }), argv, cwdInput);
    }

    const evaluation = evaluatePolicy(policy, argv);
    for (const p of evaluation.paths) {
      const confined = confinePath(deps.workspace, cwd.real, p);
      if (!confined.ok) return refuse(refusal('denied', 'workspace:path', `The argument ${confined.reason}: paths must stay in the workspace`, { argv }), argv, cwd.relative);
    }
    if (evaluation.decision === 'deny') return refuse(refusal('denied', evaluation.rule, evaluation.reason, { argv }), argv, cwd.relative);

    const hash = argvSha256(argv);
    let approval: { approverId: number; jti: string } | undefined;
    if (evaluation.decision === 'approve') {
      if (!ctx.grant) {
        return refuse(refusal('approval_required', evaluation.rule, evaluation.reason, { argv, cwd: cwd.relative, argv_sha256: hash }), argv, cwd.relative);
      }
      if (ctx.identity.userId === null) {
        return refuse(refusal('denied', 'approval:no-user', 'The approval cannot be used: approvals are given for a user, and this call acts for none', { argv }), argv, cwd.relative);
      }
      const check = await deps.verifyGrant(ctx.grant, { userId: ctx.identity.userId, argvSha256: hash, cwd: cwd.relative });
      if (!check.ok) return refuse(refusal('denied', check.rule, check.reason, { argv, cwd: cwd.relative, argv_sha256: hash }), argv, cwd.relative);
      approval = check;
    }

    const file = evaluation.program?.path ?? findInSearchPath(argv[0] as string, policy.searchPath);
    if (!file) return refuse(refusal('denied', 'unknown-program', `"${argv[0]}" was not found in ${policy.searchPath.join(', ')}`, { argv }), argv, cwd.relative);

    const slot = deps.limiter.startRun(ctx.identity.key);
    if (!slot.ok) return refuse(refusal('limited', slot.rule, slot.reason, { argv }), argv, cwd.relative);
    try {
      let auditId: number;
      try {
        auditId = audit.record({
          ...base, argv, cwd: cwd.relative, outcome: 'running', rule: evaluation.rule, reason: evaluation.reason,
          approverId: approval?.approverId ?? null, grantJti: approval?.jti ?? null,
        });
      } catch (err) {
        logger.error({ err }, 'audit log write failed: refusing to run unaudited');
        return refusal('error', 'audit', 'The command service cannot write its audit log: nothing was run');
      }
      const timeoutMs = Math.min(input.timeout_ms ?? policy.timeoutMs, policy.maxTimeoutMs);
      const result = await deps.runner.run({
        file,
        args: evaluation.args,
        cwd: cwd.real,
        home: deps.workspace,
        timeoutMs,
        maxOutputBytes: policy.limits.maxOutputBytes,
        limits: policy.limits,
        signal: ctx.signal,
      });
      const report = runReport(result, evaluation.rule, timeoutMs, { argv, cwd: cwd.relative, approverId: approval?.approverId });
      try {
        audit.finish(auditId, {
          outcome: report.outcome, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut,
          durationMs: result.durationMs, stdoutBytes: result.stdoutBytes, stderrBytes: result.stderrBytes, truncated: report.truncated,
        });
      } catch (err) {
        logger.error({ err }, 'audit log write failed');
      }
      logger.info({
        identity: base.identity, session: base.sessionId, argv, outcome: report.outcome, rule: report.rule,
        exit_code: result.exitCode, signal: result.signal, duration_ms: result.durationMs, approver: approval?.approverId,
      }, 'terminal_command ran');
      return report;
    } finally {
      slot.release();
    }
  }

  return { execute };
}

export type CommandService = ReturnType<typeof createCommandService>;

/** An approved program the policy does not name: looked up only in root-owned directories. */
function findInSearchPath(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (checkBinary(candidate) === undefined) return candidate;
  }
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
