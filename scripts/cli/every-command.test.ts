import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { captureIo } from '../../test/kit/cli-fixture.js';
import { main } from './dispatch.js';

/** The commands `strangler --help` lists (DESIGN §9), each with a file in this checkout. */
async function listedCommands(): Promise<string[]> {
  const io = captureIo(process.cwd());
  assert.equal(await main(['--help'], io), 0);
  const listing = io.stdout.join('\n').split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return listing.split('\n').map((line) => line.trim().split(/\s+/)[0]!)
    .filter((name) => existsSync(new URL(`./${name}.ts`, import.meta.url)));
}

describe('every strangler command', async () => {
  const commands = await listedCommands();

  it('is listed', () => {
    for (const name of ['status', 'cutover', 'rollback', 'explain', 'validate', 'diff-report', 'diff', 'db', 'proxy', 'doctor', 'record']) {
      assert.ok(commands.includes(name), `strangler --help lists ${name}`);
    }
  });

  for (const name of commands) {
    it(`${name}: --help prints its usage, exit 0`, async () => {
      const io = captureIo(process.cwd(), {});
      assert.equal(await main([name, '--help'], io), 0);
      assert.match(io.stdout.join('\n'), new RegExp(`^strangler ${name}\\b`));
      assert.deepEqual(io.stderr, []);
    });

    it(`${name}: an unknown option is named, with the usage after it, exit 2`, async () => {
      const io = captureIo(process.cwd(), {});
      assert.equal(await main([name, '--frobnicate'], io), 2);
      assert.match(io.stderr.join('\n'), new RegExp(`^strangler ${name}: Unknown option '--frobnicate'\\n\\nstrangler ${name}\\b`));
    });
  }
});
