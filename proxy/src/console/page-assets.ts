import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PageAsset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The console page's files (`page/`), read once: served from memory by exact name, so no
 * request path ever reaches the file system. From `dist/` (the installed package) the files
 * are found next to the sources, which the package ships.
 */
export function loadPageAssets(): ReadonlyMap<string, PageAsset> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = [join(here, 'page'), join(here, '../../../../proxy/src/console/page')].find((d) => existsSync(join(d, 'index.html')));
  if (!dir) throw new Error(`the console page's files are missing (looked for ${join(here, 'page', 'index.html')}): reinstall the package`);
  const assets = new Map<string, PageAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return assets;
}
