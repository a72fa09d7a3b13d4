import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its thrown usage errors turned into a value. */
export function parseCommandArgs<O extends Options>(args: string[], options: O) {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { ok: true as const, values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    return { ok: false as const, error: (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/, '') };
  }
}
