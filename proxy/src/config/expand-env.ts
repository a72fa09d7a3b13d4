const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands `${VAR}` and `${VAR:-default}` as a shell would (`:-` also covers an empty
 * value). An unset variable without a default is an error naming it, never an empty string.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): { ok: true; value: string } | { ok: false; reason: string } {
  const problems: string[] = [];
  const value = text.replace(REFERENCE, (whole, inner: string) => {
    const sep = inner.indexOf(':-');
    const name = sep >= 0 ? inner.slice(0, sep) : inner;
    if (!NAME.test(name)) {
      problems.push(`"${whole}" is not a variable reference: write \${NAME} or \${NAME:-default}`);
      return whole;
    }
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (sep >= 0) return inner.slice(sep + 2);
    problems.push(`environment variable ${name} is not set: set it or write \${${name}:-<default>}`);
    return whole;
  });
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  if (text.replace(REFERENCE, '').includes('${')) return { ok: false, reason: `"${text}" has an unclosed "\${"` };
  return { ok: true, value };
}
