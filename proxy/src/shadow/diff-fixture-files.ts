import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StoredMismatch } from './diff-queries.js';
import { fixtureFromMismatch, parseFixture, type FixtureParse } from './diff-fixture.js';

/** Where `strangler diff export` writes and the replay test reads. */
export const DEFAULT_FIXTURE_DIR = 'test/fixtures/diffs';

/** `users-GET-users_3-42.json`: route, method, path, row id; readable in a listing. */
export function fixtureFileName(route: string, method: string, path: string, id: number): string {
  const slug = (path.split('?')[0] ?? '').replace(/^\/+/, '').replace(/\//g, '_').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 60) || 'root';
  return `${route.replace(/[^A-Za-z0-9_.-]/g, '') || 'route'}-${method}-${slug}-${id}.json`;
}

/** Every `*.json` in a fixture folder, parsed (none when the folder does not exist). */
export function readFixtureDir(dir: string): { file: string; parsed: FixtureParse }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: join(dir, f), parsed: parseFixture(readFileSync(join(dir, f), 'utf8')) }));
}

export function fixtureText(fixture: unknown): string {
  return `${JSON.stringify(fixture, null, 2)}\n`;
}

/** Writes each mismatch as a fixture in `dir`; a file that exists is kept as it is. */
export function writeMismatchFixtures(mismatches: readonly StoredMismatch[], dir: string): { written: { file: string; paths: string[] }[]; kept: string[] } {
  mkdirSync(dir, { recursive: true });
  const written: { file: string; paths: string[] }[] = [];
  const kept: string[] = [];
  for (const m of mismatches) {
    const file = resolve(dir, fixtureFileName(m.route, m.exchange.request.method, m.exchange.request.path, m.id));
    if (existsSync(file)) {
      kept.push(file);
      continue;
    }
    writeFileSync(file, fixtureText(fixtureFromMismatch(m)));
    written.push({ file, paths: m.differences.map((d) => d.path) });
  }
  return { written, kept };
}
