import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const skipped = new Set(['node_modules', 'dist', 'data', 'public', 'fixtures']);

/**
 * Every relative import between the TypeScript files under `roots`, type-only imports and
 * re-exports included: a cycle of types alone still ties two modules into one unit.
 * Keys and targets are paths relative to `base`.
 */
export function importGraph(base: string, roots: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap((root) => tsFiles(resolve(base, root)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveSource(dirname(file), specifier))
      .filter((target): target is string => target !== undefined)
      .map((target) => relative(base, target));
    graph.set(relative(base, file), [...new Set(targets)].sort());
  }
  return graph;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return dir.endsWith('.ts') ? [dir] : [];
  return readdirSync(dir).filter((name) => !skipped.has(name)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

// NodeNext specifiers name the emitted file: `./x.js` is `./x.ts` in the source tree.
function resolveSource(from: string, specifier: string): string | undefined {
  const path = resolve(from, specifier);
  const candidates = [path.replace(/\.js$/, '.ts'), path, `${path}.ts`, join(path, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}
