#!/usr/bin/env node
// `npx strangler …` entry: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./strangler.ts');
