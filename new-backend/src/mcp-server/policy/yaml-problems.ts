import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';

export type YamlPath = readonly (string | number)[];

/** One finding about the file, located by YAML path; `key` points at the key rather than its value. */
export interface Problem {
  readonly path: YamlPath;
  readonly message: string;
  readonly key?: boolean;
}

/** `programs.ls.flags[2]`: how messages name a place in the file. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

/** The 1-based line of `path`; a missing key resolves to its deepest existing parent. */
export function lineOf(doc: Document, counter: LineCounter, path: YamlPath, key = false): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      if (key && i === path.length - 1) {
        offset = rangeStart(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return counter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

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
