/** A refusal with the rule that made it, so the caller can report and audit it. */
export type Refusal = { ok: false; rule: string; reason: string };

/** The characters SECURITY T2 refuses outright: each is a shell operator, expansion or glob. */
const SHELL_METACHARACTERS = ';&|<>()$`*?[]{}~!#';
const METACHAR_SET = new Set(SHELL_METACHARACTERS);

// C0 controls and DEL: every tokenizer tested turns `\n` into a space, so `echo a⏎rm x`
// would become one innocent-looking command. Tab too: plain spaces are the only separator.
const CONTROL = /[\u0000-\u001f\u007f]/u; // eslint-disable-line no-control-regex
// C1 controls, format characters (bidi overrides, zero-width joiners), line/paragraph
// separators and every space but U+0020: invisible or misleading in a UI, and some
// become real separators after normalisation.
const INVISIBLE = /[\u0080-\u009f\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;

export const SHELL_OPERATORS_MESSAGE = 'Shell operators are not supported: run one program with plain arguments';

/**
 * Refuses raw command text before it is tokenized (SECURITY T2): control characters,
 * shell metacharacters, invisible characters, and look-alikes that NFKC folds into a
 * metacharacter (fullwidth `；｜＄`, small `﹠`…), which a reviewer could not tell apart.
 */
export function screenCommand(command: string): { ok: true } | Refusal {
  if (CONTROL.test(command)) {
    return { ok: false, rule: 'control-characters', reason: 'Control characters (newline, tab, NUL…) are not allowed: write the command on one line' };
  }
  if (INVISIBLE.test(command)) {
    return { ok: false, rule: 'invisible-characters', reason: 'Invisible or unusual space characters are not allowed: retype the command with plain spaces' };
  }
  const found = firstMetacharacter(command);
  if (found !== undefined) {
    return { ok: false, rule: 'shell-operators', reason: `${SHELL_OPERATORS_MESSAGE} (found "${found}")` };
  }
  const folded = command.normalize('NFKC');
  if (folded !== command) {
    const hidden = firstMetacharacter(folded) ?? (CONTROL.test(folded) || INVISIBLE.test(folded) ? 'a control character' : undefined);
    if (hidden !== undefined) {
      return { ok: false, rule: 'lookalike-characters', reason: `${SHELL_OPERATORS_MESSAGE} (a look-alike of "${hidden}" was found: use plain ASCII)` };
    }
  }
  return { ok: true };
}

function firstMetacharacter(text: string): string | undefined {
  for (const ch of text) if (METACHAR_SET.has(ch)) return ch;
  return undefined;
}
