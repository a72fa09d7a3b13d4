import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../kit/browser.js';
import { uniqueName } from '../kit/unique.js';
import { ConsolePage } from './console-page.js';
import { CutoverJourney } from './cutover-journey.js';
import { upgradesTo } from './expectations.js';
import { startProcessSystem, type ProcessSystem } from '../kit/process-system.js';
import { waitFor } from '../kit/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// One open page per person for the whole run: every route flips under them and back, and
// each action is repeated after each flip, with no reload and no second login.
describe('the page in Chromium through the proxy, across every cutover', { timeout: 20 * 60_000 }, () => {
  let system: ProcessSystem | undefined;
  let browser: Browser | undefined;
  let skipReason = '';
  let admin: ConsolePage;
  let user: ConsolePage;
  let journey: CutoverJourney;
  let shots = '';
  const regular = { username: uniqueName('erin'), name: 'Erin Regular', email: `${uniqueName('erin')}@e2e.test`, password: 'erin-password-1' };

  before(async () => {
    const launched = await launchBrowser();
    if (!launched.ok) {
      skipReason = launched.reason;
      return;
    }
    browser = launched.browser;
    system = await startProcessSystem();
    shots = join(ROOT, 'test-results', `e2e-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(shots, { recursive: true });
    console.log(`# e2e screenshots: ${shots}`);
  });

  after(async () => {
    await admin?.close().catch(() => undefined);
    await user?.close().catch(() => undefined);
    await browser?.close();
    await system?.close();
  });

  /** Runs a step with the screenshots folder and the processes' last log lines attached to any failure. */
  async function step(t: TestContext, body: (s: ProcessSystem, b: Browser) => Promise<void>): Promise<void> {
    if (!browser || !system) return t.skip(skipReason);
    const s = system;
    try {
      await body(s, browser);
    } catch (err) {
      (err as Error).message += `\n\nscreenshots: ${shots}\nlast log lines:\n${s.logs(25)}`;
      throw err;
    }
  }

  it('an admin logs in through the proxy (everything on legacy) and creates a regular user', (t) =>
    step(t, async (s, b) => {
      assert.deepEqual(await s.routing(), { auth: 'legacy', users: 'legacy', mcp: 'legacy' });
      admin = await ConsolePage.open(b, 'admin', s.url, shots);
      await admin.screenshot('00-login');
      await admin.login(s.admin.username, s.admin.password);
      await admin.createUser(regular);
    }));

  it('the regular user logs in in a second browser context', (t) =>
    step(t, async (s, b) => {
      user = await ConsolePage.open(b, 'user', s.url, shots);
      await user.login(regular.username, regular.password);
      assert.equal(await user.page.locator('#users-panel').isVisible(), false, 'a regular user sees no user admin');
      assert.equal(await user.page.locator('#approvals').isVisible(), false, 'a regular user approves nothing');
      journey = new CutoverJourney(s, admin, user, regular);
    }));

  it('on legacy: every action works, and an approval arrives live', (t) => step(t, () => journey.everyAction('legacy')));

  for (const route of ['auth', 'users', 'mcp'] as const) {
    it(`after \`strangler cutover ${route} new\`: every action again, with no reload and no second login`, (t) =>
      step(t, async () => {
        await journey.flip(['cutover', route, 'new'], { ...journey.routing, [route]: 'new' }, [new RegExp(`${route}: legacy -> new`)]);
        await journey.everyAction(`${route}-on-new`);
      }));
  }

  it('the legacy app restarts under open pages: their live connection comes back by itself, now to the new backend', (t) =>
    step(t, async (s) => {
      journey.step += 1;
      const opened = { admin: admin.sockets.length, user: user.sockets.length };
      const before = await upgradesTo(s, 'mcp', 'new');
      await s.restart('legacy');
      await waitFor(() => admin.sockets.length > opened.admin && user.sockets.length > opened.user, 'both pages to open a new WebSocket', 60_000);
      await admin.liveSocket();
      await user.liveSocket();
      assert.ok((await upgradesTo(s, 'mcp', 'new')) >= before + 2, 'the new sockets went to the new backend');

      const command = `touch rejected-${journey.step}`;
      await user.run(command, 'pending_approval');
      await admin.approvalItem(command).getByRole('button', { name: 'Reject' }).click();
      const item = await user.waitForCommand(command, 'rejected');
      assert.match((await item.textContent()) ?? '', /Rejected by an administrator/);
      await user.screenshot(journey.shot('reconnected'));
      await admin.screenshot(journey.shot('reconnected'));
    }));

  it('after `strangler rollback --all`: every action again, on legacy, with the same pages', (t) =>
    step(t, async () => {
      await journey.flip(['rollback', '--all'], { auth: 'legacy', users: 'legacy', mcp: 'legacy' }, [/auth: new -> legacy/, /users: new -> legacy/, /mcp: new -> legacy/]);
      await journey.everyAction('rolled-back');
    }));

  it('ends with no page error, one page load and one login per person', (t) =>
    step(t, async () => {
      for (const page of [admin, user]) {
        assert.deepEqual(page.errors, [], `${page.label}: errors in the page`);
        page.assertNeverReloaded();
      }
    }));

  it('with everything on new, the user logs out and in again: the session the bridge makes carries the page and its live list', (t) =>
    step(t, async () => {
      await journey.flip(['cutover', '--all', 'new'], { auth: 'new', users: 'new', mcp: 'new' }, [/auth: legacy -> new/, /users: legacy -> new/, /mcp: legacy -> new/]);
      await journey.relogin('logged-in-on-new');
    }));

  it('with mcp rolled back and auth still on new, a session the bridge made opens the legacy socket and runs commands', (t) =>
    step(t, async () => {
      await journey.flip(['rollback', 'mcp'], { auth: 'new', users: 'new', mcp: 'legacy' }, [/mcp: new -> legacy/]);
      await journey.relogin('bridged-session-on-legacy');
    }));
});
