import { split } from 'shlex';
import { screenCommand, type Refusal } from './screen-command.js';

export const MAX_COMMAND_LENGTH = 4096;
export const MAX_ARGS = 64;
const BARE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** Why a command was not turned into argv: `denied` for security refusals, `invalid` for malformed input. */
export type ParseFailure = Refusal & { kind: 'denied' | 'invalid' };
export type ParsedCommand = { ok: true; argv: string[] } | ParseFailure;

/**
 * Raw text → argv, failing closed: screened first (T2), then split by shlex, which throws
 * on an unterminated quote (T3) and yields only strings; argv[0] must be a bare program
 * name (T4), so `./x` and `/usr/bin/x` never reach the policy as a path.
 */
export function parseCommand(command: string): ParsedCommand {
  if (command.trim() === '') return { ok: false, kind: 'invalid', rule: 'empty-command', reason: 'The command is empty: type a program name, e.g. "ls -l"' };
  if (command.length > MAX_COMMAND_LENGTH) {
    return { ok: false, kind: 'invalid', rule: 'command-too-long', reason: `The command is longer than ${MAX_COMMAND_LENGTH} characters` };
  }
  const screened = screenCommand(command);
  if (!screened.ok) return { ...screened, kind: 'denied' };
  let argv: string[];
  try {
    argv = split(command);
  } catch {
    return { ok: false, kind: 'invalid', rule: 'unterminated-quote', reason: 'The command has an unterminated quote or a trailing backslash: close the quote' };
  }
  if (argv.length === 0) return { ok: false, kind: 'invalid', rule: 'empty-command', reason: 'The command is empty: type a program name, e.g. "ls -l"' };
  if (argv.length > MAX_ARGS) return { ok: false, kind: 'invalid', rule: 'too-many-arguments', reason: `At most ${MAX_ARGS} arguments are accepted` };
  const program = argv[0] as string;
  if (!BARE_NAME.test(program)) {
    return { ok: false, kind: 'denied', rule: 'bare-name', reason: `"${program}" is not a bare program name: write the name alone (e.g. "ls"), never a path` };
  }
  // Flags reach option parsers: keep them plain ASCII so no look-alike hyphen or letter
  // slips past an exact-token allowlist.
  const oddFlag = argv.find((a) => a.normalize('NFKC').startsWith('-') && /[^\x21-\x7e]/.test(a));
  if (oddFlag !== undefined) {
    return { ok: false, kind: 'denied', rule: 'lookalike-characters', reason: `The option "${oddFlag}" holds non-ASCII characters: type options in plain ASCII` };
  }
  return { ok: true, argv };
}
