import { deniedOption } from './denied-option.js';
import { SEVERITY, type ArgKind, type Decision, type Policy, type ProgramRule } from './policy.js';

export interface Verdict {
  readonly decision: Decision;
  readonly rule: string;
  readonly reason: string;
}

export interface Evaluation extends Verdict {
  /** The policy entry, or undefined for a program the policy does not name. */
  readonly program: ProgramRule | undefined;
  /** Arguments to pass: for an allowed program, options then `--` then positionals; else argv as typed. */
  readonly args: readonly string[];
  /** Arguments the policy types as paths: the caller must confine each to the workspace. */
  readonly paths: readonly string[];
}

const COUNT = /^\d{1,9}$/;

/**
 * Decides what to do with argv (pure: no filesystem). Every rule that matches adds a
 * verdict and the strictest wins, deny > approve > allow (T8): an allowed program with an
 * option off its allowlist needs approval (T5); a denied option denies it; a program the
 * policy does not name is never allowed outright.
 */
export function evaluatePolicy(policy: Policy, argv: readonly string[]): Evaluation {
  const [name = '', ...rest] = argv;
  const program = policy.programs.get(name);
  if (!program) {
    const reason = policy.unknownProgram === 'deny'
      ? `"${name}" is not in the command policy`
      : `"${name}" is not in the command policy: an admin must approve it`;
    return { decision: policy.unknownProgram, rule: 'unknown-program', reason, program: undefined, args: rest, paths: [] };
  }
  const verdicts: Verdict[] = [];
  for (const arg of rest) {
    const flag = deniedOption(arg, program.denyFlags);
    if (flag === undefined) continue;
    const spelled = flag === arg ? '' : ` (it spells ${flag})`;
    verdicts.push({ decision: 'deny', rule: `${program.id}:deny-flags`, reason: `the option "${arg}" of ${name} is denied${spelled}` });
    break;
  }
  if (program.decision !== 'allow') {
    verdicts.push({
      decision: program.decision,
      rule: program.id,
      reason: program.decision === 'deny' ? `${name} is denied by the command policy` : `${name} needs an admin's approval`,
    });
    return { ...strictest(verdicts), program, args: rest, paths: [] };
  }
  const checked = checkArguments(program, rest);
  verdicts.push(...checked.verdicts);
  if (verdicts.length === 0) verdicts.push({ decision: 'allow', rule: program.id, reason: `${name} is allowed` });
  const result = strictest(verdicts);
  return { ...result, program, args: result.decision === 'allow' ? checked.args : rest, paths: checked.paths };
}

function checkArguments(program: ProgramRule, rest: readonly string[]): { verdicts: Verdict[]; args: string[]; paths: string[] } {
  const verdicts: Verdict[] = [];
  const approve = (suffix: string, reason: string) => verdicts.push({ decision: 'approve', rule: `${program.id}:${suffix}`, reason: `${reason}: an admin must approve it` });
  const options: string[] = [];
  const positionals: string[] = [];
  const paths: string[] = [];
  let endOfOptions = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!endOfOptions && arg === '--' && program.endOfOptions) {
      endOfOptions = true;
      continue;
    }
    if (endOfOptions || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const option = matchOption(program, arg, rest[i + 1]);
    if (!option.ok) {
      approve('flags', `the option "${arg}" is not on the allowlist for ${program.name}`);
      options.push(arg);
      continue;
    }
    options.push(...option.tokens);
    i += option.tokens.length - 1;
    if (option.value !== undefined) {
      const problem = kindProblem(option.kind, option.value, true);
      if (problem) approve('flags', `the value of "${arg}" ${problem}`);
      if (option.kind === 'path') paths.push(option.value);
    }
  }
  const { kinds, min, max, pattern } = program.positionals;
  if (positionals.length > max || positionals.length < min) {
    const range = max === 0 ? 'no arguments' : min === max ? `exactly ${max} argument(s)` : `${min} to ${max} arguments`;
    approve('positionals', `${program.name} takes ${range} here, got ${positionals.length}`);
  }
  for (const [i, arg] of positionals.entries()) {
    const kind = kinds[Math.min(i, kinds.length - 1)] ?? 'text';
    const problem = kindProblem(kind, arg);
    if (problem) approve('positionals', `the argument "${arg}" ${problem}`);
    if (kind === 'text' && pattern && !pattern.test(arg)) approve('positionals', `the argument "${arg}" does not match ${pattern.source}`);
    if (kind === 'path') paths.push(arg);
  }
  const args = [...options, ...(program.endOfOptions && positionals.length ? ['--'] : []), ...positionals];
  return { verdicts, args, paths };
}

type OptionMatch = { ok: true; tokens: string[]; kind: ArgKind | null; value: string | undefined } | { ok: false };

function matchOption(program: ProgramRule, arg: string, next: string | undefined): OptionMatch {
  if (program.flags.has(arg)) {
    const kind = program.flags.get(arg) ?? null;
    if (kind === null) return { ok: true, tokens: [arg], kind, value: undefined };
    if (next === undefined) return { ok: false };
    return { ok: true, tokens: [arg, next], kind, value: next };
  }
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 2) {
    const kind = program.flags.get(arg.slice(0, eq));
    if (kind) return { ok: true, tokens: [arg], kind, value: arg.slice(eq + 1) };
  }
  return { ok: false };
}

function kindProblem(kind: ArgKind | null, value: string, optionValue = false): string | undefined {
  if (kind === 'count' && !COUNT.test(value)) return 'is not a whole number';
  // Positionals come after `--`; an option's value has no such guard.
  if (optionValue && value.startsWith('-')) return 'looks like an option';
  return undefined;
}

function strictest(verdicts: readonly Verdict[]): Verdict {
  let best = verdicts[0] as Verdict;
  for (const v of verdicts) if (SEVERITY[v.decision] > SEVERITY[best.decision]) best = v;
  return best;
}
