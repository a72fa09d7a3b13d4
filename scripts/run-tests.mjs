#!/usr/bin/env node
// Runs every *.test.ts file with Node's own test runner. Node 20 does not expand globs,
// so the files are listed here. Pass substrings to run only matching files, and `!substring`
// to leave files out:
//   npm run test:only -- proxy/ contract
//   npm run test:only -- '!test/package/'
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['examples', 'lib', 'legacy-adapter', 'new-backend', 'proxy', 'scripts', 'test'];
const skip = new Set(['node_modules', 'dist', 'data', 'public', 'fixtures']);

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('!'));
const excluded = args.filter((a) => a.startsWith('!')).map((a) => a.slice(1));
// The longest files start first: two slots finish together instead of one long file (the
// package test, the browser journeys, replay) running alone at the end.
const SLOW_FIRST = ['test/package/', 'test/e2e/', 'test/replay/', 'test/record/', 'test/shadow/', 'test/contract/', 'test/journey/', 'examples/'];
const rank = (f) => {
  const i = SLOW_FIRST.findIndex((p) => f.startsWith(p));
  return i === -1 ? SLOW_FIRST.length : i;
};
const files = roots.flatMap((r) => walk(r, [])).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => !excluded.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files match ${args.join(' ')}`);
  process.exit(1);
}
const child = spawn(process.execPath, [
  // A test that hangs fails after the timeout instead of stalling the whole run. The timeout
  // bounds each file as a whole: 5 minutes leaves room for the package test, which builds,
  // packs and installs the package (compiling better-sqlite3) for two Node versions.
  '--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', '--test-timeout=300000', ...files,
], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
