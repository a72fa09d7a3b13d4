import { readFileSync, realpathSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { checkBinary as realBinaryCheck, type BinaryCheck } from './check-binary.js';
import { deniedOption } from './denied-option.js';
import { isNeverAutoAllowed } from './never-auto-allow.js';
import type { ArgKind, Policy, ProgramRule } from './policy.js';
import { PolicySchema, knownKeysAt, type PolicyFile, type ProgramEntry } from './policy-schema.js';
import { formatPath, lineOf, schemaProblems, type Problem } from './yaml-problems.js';

export interface LoadOptions {
  /** Named in messages. */
  readonly file?: string;
  readonly checkBinary?: BinaryCheck;
  /**
   * Lets a policy built in code auto-allow programs from the never-auto-allow list (a
   * test that needs `sh` to spawn grandchildren). Not reachable from YAML or the
   * environment: only a caller of this function can pass it.
   */
  readonly unsafeAllowNeverAutoAllow?: boolean;
}

export type LoadResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };

const BARE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** Reads and validates mcp-policy.yaml; every problem is reported, each with its line. */
export function loadPolicyFile(path: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): set MCP_POLICY_FILE to the policy file`] };
  }
  return parsePolicy(text, { ...options, file: options.file ?? path });
}

/** Parses policy YAML text; see loadPolicyFile. */
export function parsePolicy(text: string, options: LoadOptions = {}): LoadResult {
  const file = options.file ?? 'mcp-policy.yaml';
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length) {
    return { ok: false, errors: doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`) };
  }
  const compiled = compilePolicy(doc.toJS() as unknown, options);
  if (compiled.ok) return compiled;
  return {
    ok: false,
    errors: compiled.problems.map((p) => `${file}:${lineOf(doc, counter, p.path, p.key)}: ${formatPath(p.path)}: ${p.message}`),
  };
}

/** Validates a policy given as plain data (from YAML, or built in code by a test). */
export function compilePolicy(raw: unknown, options: LoadOptions = {}): { ok: true; policy: Policy } | { ok: false; problems: Problem[] } {
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error.issues, raw, knownKeysAt) };
  const data = parsed.data;
  const problems: Problem[] = [];
  const check = options.checkBinary ?? realBinaryCheck;
  const programs = new Map<string, ProgramRule>();
  for (const [name, entry] of Object.entries(data.programs)) {
    const rule = compileProgram(name, entry, check, options.unsafeAllowNeverAutoAllow === true, problems);
    if (rule) programs.set(name, Object.freeze(rule));
  }
  problems.push(...checkDefaults(data));
  if (problems.length) return { ok: false, problems };
  const { defaults: d, limits: l } = data;
  return {
    ok: true,
    policy: Object.freeze({
      programs,
      timeoutMs: d.timeout_ms,
      maxTimeoutMs: d.max_timeout_ms,
      unknownProgram: d.unknown_program,
      searchPath: Object.freeze([...d.search_path]),
      limits: Object.freeze({
        maxOutputBytes: l.max_output_bytes,
        cpuSeconds: l.cpu_seconds,
        fileSizeBytes: l.file_size_bytes,
        openFiles: l.open_files,
        processes: l.processes,
        callsPerMinute: l.calls_per_minute,
        burst: l.burst,
        concurrentPerIdentity: l.concurrent_per_identity,
        concurrentTotal: l.concurrent_total,
      }),
    }),
  };
}

function compileProgram(name: string, entry: ProgramEntry, check: BinaryCheck, unsafe: boolean, problems: Problem[]): ProgramRule | undefined {
  const at = (...rest: (string | number)[]) => ['programs', name, ...rest];
  const before = problems.length;
  if (!BARE_NAME.test(name)) problems.push({ path: at(), key: true, message: `"${name}" is not a bare program name (letters, digits, . _ + -)` });
  if (entry.decision !== 'deny') {
    if (entry.path === undefined) problems.push({ path: at('path'), message: `required for decision ${entry.decision} (e.g. /usr/bin/${name})` });
    else {
      const problem = check(entry.path);
      if (problem) problems.push({ path: at('path'), message: problem });
    }
  }
  if (entry.decision === 'allow' && !unsafe) {
    const names = [name, ...(entry.path ? [basename(entry.path), basename(realOr(entry.path))] : [])];
    const dangerous = names.find(isNeverAutoAllowed);
    if (dangerous) {
      problems.push({ path: at('decision'), message: `"${dangerous}" can run other programs or write outside the workspace, so it is never auto-allowed: use approve or deny` });
    }
  }
  const flags = new Map<string, ArgKind | null>();
  for (const [i, spec] of entry.flags.entries()) {
    const flag = typeof spec === 'string' ? spec : spec.flag;
    if (!/^-[\x21-\x7e]+$/.test(flag) || flag === '--') problems.push({ path: at('flags', i), message: `"${flag}" is not an option: options start with "-" and hold no spaces` });
    flags.set(flag, typeof spec === 'string' ? null : spec.value);
  }
  for (const [i, flag] of entry.deny_flags.entries()) {
    if (!flag.startsWith('-')) problems.push({ path: at('deny_flags', i), message: `"${flag}" is not an option: options start with "-"` });
    if (flags.has(flag)) problems.push({ path: at('deny_flags', i), message: `"${flag}" is also under flags: a flag is either accepted or denied` });
  }
  // An accepted spelling that reaches a denied option (`--s` for `--set`, `-la` with `-a`
  // denied) would be refused at every call: say so now, where it can be fixed.
  for (const [i, spec] of entry.flags.entries()) {
    const flag = typeof spec === 'string' ? spec : spec.flag;
    const denied = deniedOption(flag, entry.deny_flags);
    if (denied !== undefined && denied !== flag) {
      problems.push({ path: at('flags', i), message: `"${flag}" spells the denied option ${denied}: remove it from flags or from deny_flags` });
    }
  }
  const pos = entry.positionals;
  let pattern: RegExp | undefined;
  if (pos) {
    if (pos.min > pos.max) problems.push({ path: at('positionals', 'min'), message: `min (${pos.min}) is above max (${pos.max})` });
    if (pos.pattern !== undefined) {
      try {
        pattern = new RegExp(pos.pattern, 'u');
      } catch (err) {
        problems.push({ path: at('positionals', 'pattern'), message: `not a valid regular expression: ${(err as Error).message}` });
      }
    }
  }
  if (problems.length > before) return undefined;
  return {
    name,
    id: `program:${name}`,
    decision: entry.decision,
    path: entry.path,
    flags,
    denyFlags: Object.freeze([...entry.deny_flags]),
    positionals: Object.freeze({
      kinds: Object.freeze(pos ? (Array.isArray(pos.kind) ? [...pos.kind] : [pos.kind]) : []),
      min: pos?.min ?? 0,
      max: pos?.max ?? 0,
      pattern,
    }),
    endOfOptions: entry.end_of_options,
  };
}

function checkDefaults(data: PolicyFile): Problem[] {
  const problems: Problem[] = [];
  if (data.defaults.timeout_ms > data.defaults.max_timeout_ms) {
    problems.push({ path: ['defaults', 'timeout_ms'], message: `${data.defaults.timeout_ms} is above max_timeout_ms (${data.defaults.max_timeout_ms})` });
  }
  for (const [i, dir] of data.defaults.search_path.entries()) {
    if (!isAbsolute(dir)) problems.push({ path: ['defaults', 'search_path', i], message: `"${dir}" is not an absolute directory` });
  }
  if (data.limits.concurrent_per_identity > data.limits.concurrent_total) {
    problems.push({ path: ['limits', 'concurrent_per_identity'], message: `${data.limits.concurrent_per_identity} is above concurrent_total (${data.limits.concurrent_total})` });
  }
  return problems;
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
