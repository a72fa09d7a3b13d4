import { inspect } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 20;

/**
 * Polls `check` until it returns a truthy value, and resolves with that value. A check that
 * throws is tried again. Tests wait for a condition this way rather than sleep a fixed time:
 * the machine is shared, and its speed varies. After `ms` it fails with an error naming `what`
 * and the last value or error the check gave, which is usually what a person needs to see.
 *
 * @example
 *   const line = await waitFor(() => logs.find((l) => l.reqId === 'r-1'), 'the log line of r-1');
 *   await waitFor(() => backend.requests.length === 2, 'two requests at the backend', 5_000);
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, ms = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) throw timedOut(what, ms, last);
    await sleep(POLL_MS);
  }
}

function timedOut(what: string, ms: number, last: { value: unknown } | { error: unknown } | undefined): Error {
  const seen = last === undefined ? 'no answer'
    : 'error' in last ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
    : `last seen: ${inspect(last.value, { depth: 4, breakLength: Infinity })}`;
  return new Error(`timed out after ${ms} ms waiting for ${what} (${seen})`, last && 'error' in last ? { cause: last.error } : undefined);
}
