import { formatPath as formatYamlPath, lineOf, type YamlPath } from '../../../../lib/yaml-locate.js';
import type { z } from 'zod';

export type { YamlPath };

/** One finding about the file, located by YAML path; `key` points at the key rather than its value. */
export interface Problem {
  readonly path: YamlPath;
  readonly message: string;
  readonly key?: boolean;
}

/** `programs.ls.flags[2]`; the whole file reads `(top level)`. */
export function formatPath(path: YamlPath): string {
  return formatYamlPath(path) || '(top level)';
}

export { lineOf };

/** zod issues as messages a person can act on, each with its path in the file. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, known: (path: YamlPath) => string[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: [...path, k], message: `unknown key (known keys: ${known(path).join(', ')})`, key: true });
    } else if (issue.code === 'invalid_type' && valueAt(raw, path) === undefined) {
      out.push({ path, message: 'required' });
    } else if (issue.code === 'invalid_value') {
      out.push({ path, message: `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}` });
    } else if (issue.code === 'invalid_union' && path.includes('flags')) {
      out.push({ path, message: 'a flag is written "-l" or { flag: "-n", value: count|text|path }' });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

function valueAt(root: unknown, path: YamlPath): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}
