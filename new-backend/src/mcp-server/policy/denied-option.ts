/**
 * The entry of `deny_flags` that `arg` would reach, or undefined (T5, T8). A denied option
 * must not be reachable under another spelling, so this reads arguments the way GNU
 * getopt_long does, and errs towards refusing:
 *
 * - a long option is denied when its name (before any `=`) is the denied name or any
 *   prefix of it: GNU expands `--f` to `--file` when that is unambiguous, and an ambiguous
 *   prefix is refused by the program anyway, so `--f`, `--fi=x`, `--file=x` all match
 *   `--file`;
 * - a single-dash argument is a bundle of short options (`-Rf` is `-R -f`), so each
 *   letter is matched against the denied short options. Which letters take a value is
 *   the program's business, unknown here: `-dfoo` counts as naming `-f` although `date`
 *   reads `foo` as `-d`'s value. Over-refusing a spelling nobody needs is the safe side;
 * - anything else (`-exec` for find, say) matches exactly.
 *
 * @example
 * deniedOption('--f=/etc/passwd', ['-f', '--file']) // '--file'
 * deniedOption('-Rf', ['-f', '--file'])             // '-f'
 */
export function deniedOption(arg: string, denyFlags: readonly string[]): string | undefined {
  if (!arg.startsWith('-') || arg === '-' || arg === '--') return undefined;
  if (denyFlags.includes(arg)) return arg;
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name.length <= 2) return undefined;
    return denyFlags.find((flag) => flag.startsWith('--') && flag.startsWith(name));
  }
  const letters = [...arg.slice(1)];
  return denyFlags.find((flag) => isShortOption(flag) && letters.includes(flag.slice(1)));
}

function isShortOption(flag: string): boolean {
  return flag.length === 2 && flag.startsWith('-') && flag !== '--';
}
