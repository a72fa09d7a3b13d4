import type { Logger } from '../../../lib/logger.js';
import { openDatabase } from '../../../lib/sqlite.js';
import { createGrantVerifier } from './approvals/approval-grant.js';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import { createCommandService, type CommandService } from './command-service.js';
import { createUserDirectory, type UserDirectory } from './identity/user-directory.js';
import { createCallLimiter } from './limits/call-limiter.js';
import type { PolicySource } from './policy/policy.js';
import { createProcessRunner, type ProcessRunner, type RunnerOptions } from './run/process-runner.js';

export interface CommandServiceConfig {
  readonly policy: PolicySource;
  /** Real path of the workspace root. */
  readonly workspace: string;
  readonly auditPath: string;
  /** The shared database (users, revoked_tokens), opened read-only. */
  readonly databasePath: string;
  /** JWT_SECRET as a list: approval grants are verified with these. */
  readonly jwtSecrets: readonly string[];
  readonly logger: Logger;
  readonly runner?: RunnerOptions;
}

export interface OpenCommandService {
  readonly commands: CommandService;
  readonly runner: ProcessRunner;
  readonly audit: AuditLog;
  readonly users: UserDirectory;
  /** Kills every live process group, then closes the files. */
  close(): Promise<void>;
}

/** Opens the files and builds the command service both entry points (HTTP, stdio) share. */
export function openCommandService(config: CommandServiceConfig): OpenCommandService {
  const audit = createAuditLog(openDatabase(config.auditPath));
  const users = createUserDirectory(config.databasePath);
  const runner = createProcessRunner(config.runner);
  const commands = createCommandService({
    policy: config.policy,
    workspace: config.workspace,
    runner,
    audit,
    limiter: createCallLimiter(() => config.policy.current().limits),
    verifyGrant: createGrantVerifier({ secrets: config.jwtSecrets, users, claim: audit.claimGrant }),
    logger: config.logger,
  });
  let closed: Promise<void> | undefined;
  return {
    commands,
    runner,
    audit,
    users,
    close: () => (closed ??= (async () => {
      await runner.killAll();
      audit.close();
      users.close();
    })()),
  };
}
