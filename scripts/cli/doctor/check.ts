/**
 * One line of `strangler doctor`: what was checked, what was found, and for a problem the
 * fix a person can act on. A warning is printed but does not fail the run.
 */
export interface Check {
  readonly state: 'pass' | 'warn' | 'fail';
  /** What was checked, short: `answers`, `sqlite store`, `cookie`. */
  readonly what: string;
  /** What was found. */
  readonly detail: string;
  /** For a warning or a failure: what to do about it. */
  readonly fix?: string;
}

export const pass = (what: string, detail: string): Check => ({ state: 'pass', what, detail });
export const warn = (what: string, detail: string, fix: string): Check => ({ state: 'warn', what, detail, fix });
export const fail = (what: string, detail: string, fix: string): Check => ({ state: 'fail', what, detail, fix });

/** Why a fetch failed, in words: refused, timed out, unknown host. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return code ?? e.cause?.message ?? String(err);
}

/** A URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
