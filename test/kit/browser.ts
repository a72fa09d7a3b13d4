import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's chromium; playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Headless Chromium, or the reason there is none. CI installs it (.ci/run), so there a
 * missing browser is a failure; elsewhere a test may skip with the reason.
 *
 * @example
 * const launched = await launchBrowser();
 * if (!launched.ok) return t.skip(launched.reason);
 */
export async function launchBrowser(): Promise<{ ok: true; browser: Browser } | { ok: false; reason: string }> {
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `no browser at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`;
    if (process.env.CI === 'true') throw new Error(reason);
    return { ok: false, reason };
  }
  // Loaded here, not at the top: every suite that imports the kit would otherwise load playwright.
  const { chromium } = await import('playwright-core');
  return { ok: true, browser: await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS }) };
}
