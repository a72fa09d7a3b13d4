/** What a replayed process's `env` placeholders stand for (see replay-schema.ts). */
export interface PlaceholderValues {
  readonly db: string;
  readonly port: number;
  readonly dir: string;
  readonly jwks: string;
  /** Origins of the services started for the same side, by name. */
  readonly urls: Readonly<Record<string, string>>;
}

export type FillResult = { ok: true; env: Record<string, string> } | { ok: false; errors: string[] };

const PLACEHOLDER = /\{([a-z]+)(?::([a-z0-9_-]+))?\}/g;

/**
 * Fills `{db}`, `{port}`, `{dir}`, `{jwks}` and `{url:<service>}` in each value; an unknown
 * placeholder or service is an error naming the variable, so a typo never starts a backend
 * on the original database.
 */
export function fillPlaceholders(env: Readonly<Record<string, string>>, values: PlaceholderValues, where: string): FillResult {
  const errors: string[] = [];
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(env)) {
    out[name] = raw.replace(PLACEHOLDER, (whole, key: string, arg: string | undefined) => {
      if (key === 'url' && arg !== undefined) {
        const url = values.urls[arg];
        if (url !== undefined) return url;
        errors.push(`${where}.env.${name}: {url:${arg}} names no service (known: ${Object.keys(values.urls).join(', ') || 'none'}): add it under replay.services`);
        return whole;
      }
      if (arg === undefined && (key === 'db' || key === 'dir' || key === 'jwks')) return values[key];
      if (arg === undefined && key === 'port') return String(values.port);
      errors.push(`${where}.env.${name}: unknown placeholder ${whole}: use {db}, {port}, {dir}, {jwks} or {url:<service>}`);
      return whole;
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, env: out };
}
