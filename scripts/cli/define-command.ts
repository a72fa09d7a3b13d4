import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../../proxy/src/config/problem.js';
import { EXIT, type CliIo } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends Options> = { args: string[]; options: O; allowPositionals: true; strict: true };

/** A command's option values, typed from its declaration (`{ file: { type: 'string' } }` gives `file?: string`). */
export type CommandValues<O extends Options> = ReturnType<typeof parseArgs<StrictConfig<O>>>['values'];

export interface CommandSpec<O extends Options> {
  /** The subcommand: errors start with `strangler <name>:`. */
  readonly name: string;
  /** What `--help` prints, and what follows a usage error. */
  readonly usage: string;
  /** node:util parseArgs options; `--help`/`-h` is added to every command. */
  readonly options: O;
  /** Positionals allowed, at most (default: any number; the command checks them). */
  readonly maxPositionals?: number;
}

/** Either the command's arguments, or the exit code after `--help` was answered or a bad argument reported. */
export type ParsedCommand<O extends Options> =
  | { readonly exit: number }
  | {
    readonly exit?: undefined;
    readonly values: CommandValues<O>;
    readonly positionals: string[];
    /** Reports a bad argument (the message names it and the fix) with the usage; returns exit 2. */
    fail(message: string): number;
  };

export interface Command<O extends Options> {
  readonly name: string;
  readonly usage: string;
  parse(args: readonly string[], io: CliIo): ParsedCommand<O>;
  /** `strangler <name>: <message>`, a blank line and the usage, on stderr; returns exit 2. */
  usageError(io: CliIo, message: string): number;
}

/**
 * One way for every `strangler` command to declare its options, parse them, answer
 * `--help` (usage on stdout, exit 0) and report a bad argument (`strangler <name>: …`,
 * then the usage, on stderr, exit 2).
 *
 * @example
 *   const command = defineCommand({ name: 'status', usage, options: { json: { type: 'boolean' } }, maxPositionals: 0 });
 *   const parsed = command.parse(args, io);
 *   if (parsed.exit !== undefined) return parsed.exit;
 *   if (parsed.values.json) …
 */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): Command<O> {
  const usageError = (io: CliIo, message: string): number => {
    io.err(`strangler ${spec.name}: ${message}\n\n${spec.usage}`);
    return EXIT.usage;
  };
  return {
    name: spec.name,
    usage: spec.usage,
    usageError,
    parse(args, io) {
      const asksHelp = args.includes('--help') || args.includes('-h');
      let parsed;
      try {
        parsed = parseArgs({ args: [...args], options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
      } catch (err) {
        if (asksHelp) return help(io, spec.usage);
        return { exit: usageError(io, explainParseError((err as Error).message, spec.options)) };
      }
      const { help: asked, ...values } = parsed.values as Record<string, unknown>;
      if (asked) return help(io, spec.usage);
      if (spec.maxPositionals !== undefined && parsed.positionals.length > spec.maxPositionals) {
        return { exit: usageError(io, `unexpected argument ${parsed.positionals[spec.maxPositionals]}`) };
      }
      return { values: values as CommandValues<O>, positionals: parsed.positionals, fail: (message: string) => usageError(io, message) };
    },
  };
}

function help(io: CliIo, usage: string): { exit: number } {
  io.out(usage);
  return { exit: EXIT.ok };
}

/** parseArgs' message, without its advice about '--' (no command takes dashed positionals), and with the option meant. */
function explainParseError(message: string, options: Options): string {
  const text = message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
  const unknown = /^Unknown option '(--?[^']+)'/.exec(text)?.[1];
  if (!unknown) return text;
  const names = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
  const meant = closest(unknown, names.filter((n) => n.startsWith('--') === unknown.startsWith('--')));
  return meant ? `${text} (did you mean ${meant}?)` : text;
}
