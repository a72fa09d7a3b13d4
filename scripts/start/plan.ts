import { envPort } from '../../lib/env.js';
import type { ProcessSpec } from './process-table.js';
import { dialHost } from './wait-ready.js';

export interface PlannedProcess {
  readonly spec: ProcessSpec;
  readonly port: number;
  /** Where it binds (LEGACY_HOST etc., else HOST, else 127.0.0.1). */
  readonly host: string;
}

export interface StartPlan {
  readonly run: readonly PlannedProcess[];
  /** Entries whose file does not exist yet. */
  readonly absent: readonly ProcessSpec[];
  /** Processes the environment says run elsewhere (LEGACY_URL, ...). */
  readonly external: readonly { readonly spec: ProcessSpec; readonly url: string }[];
  /** Variables the children need to find each other, to add to their environment. */
  readonly env: Readonly<Record<string, string>>;
}

export type PlanResult = { ok: true; plan: StartPlan } | { ok: false; problems: string[] };

/**
 * Decides what `npm start` runs, from the process table, the environment, which entry
 * files exist and the names asked for (`npm start -- legacy`; none means all). Pure:
 * every problem (bad or clashing ports, unknown names) is collected, none thrown.
 */
export function planStart(specs: readonly ProcessSpec[], env: NodeJS.ProcessEnv, exists: (entry: string) => boolean, only: readonly string[] = []): PlanResult {
  const problems: string[] = [];
  const unknown = only.filter((name) => !specs.some((s) => s.name === name));
  if (unknown.length) {
    return { ok: false, problems: [`unknown process ${unknown.map((n) => `"${n}"`).join(', ')}: choose from ${specs.map((s) => s.name).join(', ')}`] };
  }
  const run: PlannedProcess[] = [];
  const absent: ProcessSpec[] = [];
  const external: { spec: ProcessSpec; url: string }[] = [];
  const extraEnv: Record<string, string> = {};

  for (const spec of specs) {
    if (only.length && !only.includes(spec.name)) continue;
    const externalUrl = spec.externalUrlEnv ? env[spec.externalUrlEnv] : undefined;
    if (externalUrl) {
      external.push({ spec, url: externalUrl });
      continue;
    }
    if (!exists(spec.entry)) {
      absent.push(spec);
      continue;
    }
    let port: number;
    try {
      port = envPort(env, spec.portEnv, spec.defaultPort);
    } catch {
      problems.push(`${spec.portEnv}=${env[spec.portEnv]} is not a port number (1-65535)`);
      continue;
    }
    if (port === 0) {
      problems.push(`${spec.portEnv}=0: npm start needs a fixed port to wait on and to print; pick one, e.g. ${spec.portEnv}=${spec.defaultPort}`);
      continue;
    }
    const clash = run.find((p) => p.port === port);
    if (clash) {
      problems.push(`${spec.portEnv} and ${clash.spec.portEnv} are both ${port}: give ${spec.name} another port`);
      continue;
    }
    const host = env[spec.hostEnv] || env.HOST || '127.0.0.1';
    run.push({ spec, port, host });
    if (spec.urlEnv && !env[spec.urlEnv.name]) {
      extraEnv[spec.urlEnv.name] = `http://${dialHost(host)}:${port}${spec.urlEnv.path ?? ''}`;
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, plan: { run, absent, external, env: extraEnv } };
}
