import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { buildRouteTable } from './build-route-table.js';
import { checkReferences } from './check-references.js';
import { checkSessions } from './check-session.js';
import { findUnreachable } from './find-unreachable.js';
import type { Problem } from './problem.js';
import { fileSchema } from './schema.js';
import { schemaProblems } from './schema-problems.js';
import type { LoadResult } from './types.js';
import { formatPath, lineOf, type YamlPath } from '../../../lib/yaml-locate.js';

const MAX_BYTES = 1024 * 1024;

export interface ParseOptions {
  /** Names the file in messages (`routes.yaml:14: …`) and becomes `table.source`. */
  readonly source: string;
  /** For `${VAR}` in backend URLs; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Parses routes.yaml text into a frozen route table, or every problem found, each naming
 * its line and YAML path.
 *
 * @example
 * const result = parseRouteTable(text, { source: 'routes.yaml' });
 * if (!result.ok) console.error(result.errors.join('\n'));   // routes.yaml:14: routes[1].target: unknown backend "nwe" …
 * else result.table.match('GET', '/users/7');                 // { route: users, pattern: '/users/**' }
 */
export function parseRouteTable(text: string, options: ParseOptions): LoadResult {
  const { source } = options;
  const env = options.env ?? process.env;
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    return { ok: false, errors: doc.errors.map((e) => `${source}:${e.linePos?.[0].line ?? counter.linePos(e.pos[0]).line}: YAML syntax: ${firstLine(e.message)}`) };
  }
  const complexKeys: string[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as { range?: [number, number, number] } | null;
      if (!isScalar(pair.key)) complexKeys.push(`${source}:${counter.linePos(key?.range?.[0] ?? 0).line}: a key must be a plain name, not a list or mapping`);
    },
  });
  if (complexKeys.length) return { ok: false, errors: complexKeys };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, errors: [`${source}:1: YAML: ${(err as Error).message}`] };
  }
  if (raw === null || raw === undefined) {
    return { ok: false, errors: [`${source}:1: the file is empty: start with "version: 1", then backends, default and routes (see the repository's routes.yaml)`] };
  }

  const format = (p: Problem) => {
    const line = lineOf(doc, counter, p.path, p.key);
    return { line, path: p.path, text: `${source}:${line}: ${p.path.length ? `${formatPath(p.path)}: ` : ''}${p.message}` };
  };
  const sorted = (ps: Problem[]) => ps.map(format).sort((a, b) => a.line - b.line || comparePaths(a.path, b.path)).map((f) => f.text);

  const shape = fileSchema.safeParse(raw);
  const refs = checkReferences(raw, env);
  const problems = [...(shape.success ? [] : schemaProblems(shape.error.issues, raw)), ...refs.errors];
  if (!shape.success || problems.length) return { ok: false, errors: sorted(problems) };
  const sessions = checkSessions(shape.data.backends, env);
  if (sessions.errors.length) return { ok: false, errors: sorted(sessions.errors) };

  const { table, compiled } = buildRouteTable(shape.data, refs.urls, refs.patterns, source, sessions.sessions);
  const yamlWarnings = doc.warnings.map((w) => `${source}:${w.linePos?.[0].line ?? counter.linePos(w.pos[0]).line}: YAML: ${firstLine(w.message)}`);
  return { ok: true, table, warnings: [...yamlWarnings, ...sorted([...refs.warnings, ...sessions.warnings, ...findUnreachable(compiled)])] };
}

/** Reads and parses a routes file; a missing or unreadable file is an error value like any other. */
export function loadRouteTable(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [readError(file, err as NodeJS.ErrnoException)] };
  }
  if (Buffer.byteLength(text) > MAX_BYTES) return { ok: false, errors: [`${file}: larger than 1 MiB; a routes file is a few dozen lines`] };
  return parseRouteTable(text, { source: file, env });
}

export function readError(file: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return `${file}: no such file: create it (the repository's routes.yaml is a commented example) or point ROUTES_FILE / --file at it`;
    case 'EACCES': return `${file}: permission denied: make it readable by this user`;
    case 'EISDIR': return `${file}: is a folder, not a file: point at the routes.yaml inside it`;
    default: return `${file}: cannot read (${err.code ?? err.message})`;
  }
}

/** Document order within a line: parent before child, `[2]` before `[10]`. */
function comparePaths(a: YamlPath, b: YamlPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
