import { mkdirSync, realpathSync } from 'node:fs';
import { ConfigError, resolveSecrets, secretList } from '../../../lib/env.js';
import type { Logger } from '../../../lib/logger.js';
import { resolveMcpConfig, type McpConfig } from './config.js';
import { openCommandService, type OpenCommandService } from './open-command-service.js';
import { loadPolicyFile } from './policy/load-policy.js';
import type { Policy, PolicySource } from './policy/policy.js';

export interface Started {
  readonly config: McpConfig;
  readonly secrets: ReturnType<typeof resolveSecrets>;
  readonly service: OpenCommandService;
  readonly policy: PolicySource;
  /** Re-reads the policy file; a bad file keeps the current policy. */
  reloadPolicy(): void;
}

/**
 * What both entry points do before serving: secrets, settings, the policy (every
 * problem listed), the workspace (created), the audit file. Problems come back as a
 * ConfigError for main to print; nothing here listens.
 */
export function bootstrap(env: NodeJS.ProcessEnv, logger: Logger): Started {
  const secrets = resolveSecrets(env);
  const resolved = resolveMcpConfig(env);
  if (!resolved.ok) throw new ConfigError(resolved.problems);
  const config = resolved.config;
  const loaded = loadPolicyFile(config.policyFile);
  if (!loaded.ok) throw new ConfigError(loaded.errors);
  let current: Policy = loaded.policy;
  mkdirSync(config.workspace, { recursive: true });
  const service = openCommandService({
    policy: { current: () => current },
    workspace: realpathSync(config.workspace),
    auditPath: config.auditPath,
    databasePath: config.databasePath,
    jwtSecrets: secretList(secrets.JWT_SECRET),
    logger,
  });
  if (service.runner.containment === 'none') {
    logger.warn('setpriv/prlimit (util-linux) not found in /usr/bin: commands run without no-new-privs and resource limits');
  }
  return {
    config,
    secrets,
    service,
    policy: { current: () => current },
    reloadPolicy() {
      const next = loadPolicyFile(config.policyFile);
      if (!next.ok) {
        logger.error({ errors: next.errors }, `${config.policyFile} is invalid: keeping the current policy`);
        return;
      }
      current = next.policy;
      logger.info(`${config.policyFile} reloaded`);
    },
  };
}
