import type { z } from 'zod';
import { closest, describeValue, valueAt, type Problem } from './problem.js';
import { EXAMPLES, knownKeysAt } from './schema.js';

const TYPE_NAMES: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false',
  array: 'a list', object: 'a mapping', record: 'a mapping',
};

/** Turns zod's issues into messages a person can act on, each with its path in the file. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const value = valueAt(raw, path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const known = knownKeysAt(path);
          const guess = closest(key, known);
          const hint = guess ? `did you mean "${guess}"?` : `known keys: ${known.join(', ')}`;
          out.push({ path: [...path, key], message: `unknown key (${hint})`, key: true });
        }
        break;
      case 'invalid_type': {
        const last = path[path.length - 1];
        const example = typeof last === 'string' ? EXAMPLES[last] : undefined;
        if (value === undefined) out.push({ path, message: `required${example ? ` (e.g. ${example})` : ''}` });
        else out.push({ path, message: `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(value)}` });
        break;
      }
      case 'invalid_value':
        out.push({ path, message: `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}` });
        break;
      case 'too_small':
        if (issue.origin === 'array') out.push({ path, message: 'must list at least one entry' });
        else if (issue.origin === 'string') out.push({ path, message: 'must not be empty' });
        else out.push({ path, message: `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}, got ${describeValue(value)}` });
        break;
      case 'too_big':
        out.push({ path, message: `must be at most ${String(issue.maximum)}, got ${describeValue(value)}` });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}
