import type { ZodType, core } from 'zod';

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses with a zod schema and answers with the contract's message for the FIRST failing
 * field (zod reports issues in the schema's key order, which is the contract's rule order).
 */
export function validate<T>(schema: ZodType<T>, input: unknown, messageFor: (issue: core.$ZodIssue) => string): Validation<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const first = result.error.issues[0];
  return { ok: false, message: first ? messageFor(first) : 'Invalid request' };
}

/** A message per top-level field, with one for anything else. */
export function byField(messages: Readonly<Record<string, string>>, fallback: string) {
  return (issue: core.$ZodIssue): string => {
    const field = issue.path[0];
    return (typeof field === 'string' ? messages[field] : undefined) ?? fallback;
  };
}
