#!/usr/bin/env node
// `npx strangler …` entry (package.json bin). In a checkout the TypeScript sources sit
// beside this file and run through tsx, so a change needs no build; the installed package
// holds no sources and no tsx, only the compiled build (npm run build) in dist/.
import { existsSync } from 'node:fs';

const source = new URL('./strangler.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/scripts/strangler.js', import.meta.url).href);
}
