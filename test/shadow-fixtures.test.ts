// Replays every recorded shadow mismatch in test/fixtures/diffs (written by
// `strangler diff export`, updated by `strangler diff refresh`) through the diff function,
// with the options its route has in the repo's routes.yaml: a fixture that says `match`
// keeps a fixed difference fixed, one that says `differ` keeps it visible.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRouteTable } from '../proxy/src/config/index.js';
import { replayFixture, replayOptions, DEFAULT_FIXTURE_DIR, readFixtureDir } from '../proxy/src/shadow/fixture/index.js';
import type { DiffOptions } from '../proxy/src/shadow/index.js';

const root = join(import.meta.dirname, '..');
const routesFile = join(root, 'routes.yaml');
// The defaults of ${VAR:-default} are enough: only the shadow options are read.
const loaded = existsSync(routesFile) ? loadRouteTable(routesFile, {}) : undefined;
const fixtures = readFixtureDir(join(root, DEFAULT_FIXTURE_DIR));

function routeOptions(route: string): DiffOptions | undefined {
  const shadow = loaded?.ok ? loaded.table.routes.find((r) => r.name === route)?.shadow : undefined;
  return shadow ? { ignore: shadow.ignore, unordered: shadow.unordered, headers: shadow.headers } : undefined;
}

describe('recorded shadow mismatches (test/fixtures/diffs)', () => {
  it('the routes file loads, so fixtures replay with their routes\' options', () => {
    assert.ok(!loaded || loaded.ok, loaded && !loaded.ok ? loaded.errors.join('\n') : '');
  });

  for (const { file, parsed } of fixtures) {
    const name = file.slice(root.length + 1);
    it(parsed.ok ? `${name}: ${parsed.fixture.name} (${parsed.fixture.expect})` : name, () => {
      assert.ok(parsed.ok, `${name} is not a fixture: ${parsed.ok ? '' : parsed.reason}`);
      const result = replayFixture(parsed.fixture, replayOptions(parsed.fixture, routeOptions(parsed.fixture.route)));
      assert.ok(result.ok, `${name}: ${result.ok ? '' : result.problem}`);
    });
  }
});
