let counter = 0;

/**
 * A username no other test (or other run on the same database) uses: tests must not
 * depend on each other's order, so each makes its own users. Fits the contract's
 * username rule (3-32 of letters, digits, dot, dash, underscore).
 */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  const salt = Math.random().toString(36).slice(2, 8);
  return `${prefix.slice(0, 8)}_${process.pid.toString(36)}${counter.toString(36)}_${salt}`.slice(0, 32);
}
