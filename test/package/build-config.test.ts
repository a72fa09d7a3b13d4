import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const REPO = resolve(import.meta.dirname, '../..');

/** The files `npm run build` compiles, and the build config's exclusions, as tsc reads them. */
function buildConfig(): { files: string[]; exclude: string[] } {
  const parsed = ts.getParsedCommandLineOfConfigFile(resolve(REPO, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed);
  const exclude = (parsed.raw as { exclude?: string[] }).exclude ?? [];
  return { files: parsed.fileNames.map((f) => relative(REPO, f)), exclude };
}

describe('the build (tsconfig.build.json)', () => {
  const { files, exclude } = buildConfig();

  it('compiles no test helper: nothing from a test folder, and no module that imports the test kit', () => {
    const helpers = files.filter((f) => f.split('/').includes('test') || f.startsWith('test/'));
    assert.deepEqual(helpers, [], 'test helpers belong in test/kit/');
    const usingKit = files.filter((f) => /from '[^']*\/test\/kit\//.test(readFileSync(resolve(REPO, f), 'utf8')));
    assert.deepEqual(usingKit, [], 'a module the package ships imports the test kit');
  });

  it('needs no exclusion by name: only generated folders, test files and the page assets', () => {
    assert.deepEqual(exclude.sort(), ['**/*.test.ts', 'data', 'dist', 'legacy-adapter/public', 'node_modules']);
  });
});
