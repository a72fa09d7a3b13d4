import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../test/kit/index.js';
import { findCycles } from './find-cycles.js';
import { importGraph } from './import-graph.js';

const REPO = resolve(import.meta.dirname, '../..');
const SOURCE_FOLDERS = ['examples', 'lib', 'legacy-adapter', 'new-backend', 'proxy', 'scripts', 'test'];

describe('import cycles', () => {
  it('has none in the source folders, type-only imports included', () => {
    const cycles = findCycles(importGraph(REPO, SOURCE_FOLDERS));
    assert.deepEqual(cycles.map((cycle) => cycle.join(' -> ')), [],
      'move the type both modules share into a small module that both import');
  });

  describe('findCycles', () => {
    const cases: Array<{ name: string; graph: Record<string, string[]>; cycles: string[][] }> = [
      { name: 'a chain', graph: { a: ['b'], b: ['c'], c: [] }, cycles: [] },
      { name: 'a diamond', graph: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, cycles: [] },
      { name: 'two modules', graph: { a: ['b'], b: ['a'] }, cycles: [['a', 'b', 'a']] },
      { name: 'a module importing itself', graph: { a: ['a'], b: ['a'] }, cycles: [['a', 'a']] },
      { name: 'three modules, entered from outside', graph: { x: ['b'], a: ['b'], b: ['c'], c: ['a'] }, cycles: [['a', 'b', 'c', 'a']] },
      { name: 'two separate cycles', graph: { a: ['b'], b: ['a'], c: ['d'], d: ['c'] }, cycles: [['a', 'b', 'a'], ['c', 'd', 'c']] },
      { name: 'the shortest way round a larger group', graph: { a: ['b', 'c'], b: ['c'], c: ['a'] }, cycles: [['a', 'c', 'a']] },
    ];
    for (const { name, graph, cycles } of cases) {
      it(`finds ${cycles.length || 'no'} cycle${cycles.length === 1 ? '' : 's'} in ${name}`, () => {
        assert.deepEqual(findCycles(new Map(Object.entries(graph))), cycles);
      });
    }
  });

  describe('importGraph', () => {
    const dir = tempDir('strangler-cycles-');
    after(() => dir.cleanup());
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir.path, path)), { recursive: true });
      writeFileSync(join(dir.path, path), text);
    };

    it('sees a cycle made of type-only imports and re-exports', () => {
      write('src/runner.ts', "import type { Options } from './wrapper.js';\nexport type Runner = (o: Options) => void;\n");
      write('src/wrapper.ts', "import { helper } from './util/index.js';\nexport type { Runner } from './runner.js';\nexport interface Options { readonly name: string }\nexport const h = helper;\n");
      write('src/util/index.ts', 'export const helper = 1;\n');
      write('src/other.ts', "import express from 'express';\nimport { helper } from './util/index.js';\nexport default [express, helper];\n");

      const graph = importGraph(dir.path, ['src']);

      assert.deepEqual(graph.get('src/wrapper.ts'), ['src/runner.ts', 'src/util/index.ts']);
      assert.deepEqual(graph.get('src/other.ts'), ['src/util/index.ts'], 'package imports are not part of the graph');
      assert.deepEqual(findCycles(graph), [['src/runner.ts', 'src/wrapper.ts', 'src/runner.ts']]);
    });
  });
});
