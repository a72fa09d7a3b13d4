import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../kit/browser.js';
import { uniqueName } from '../kit/unique.js';
import { ConsolePage } from './console-page.js';
import { expectAnsweredBy, pollUntil, upgradesTo, type Routing } from './expectations.js';
import { startProcessSystem, type ProcessSystem } from './process-system.js';
import { strangler } from './strangler-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// One open page per person for the whole run: every route flips under them and back, and
// each action is repeated after each flip, with no reload and no second login.
describe('the page in Chromium through the proxy, across every cutover', { timeout: 20 * 60_000 }, () => {
  let system: ProcessSystem | undefined;
  let browser: Browser | undefined;
  let skipReason = '';
  let admin: ConsolePage;
  let user: ConsolePage;
  let shots = '';
  let step = 0;
  let routing: Routing = { auth: 'legacy', users: 'legacy', mcp: 'legacy' };
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

  /** Runs a step with the system's logs attached to any failure. */
  async function journey(t: TestContext, body: (s: ProcessSystem, b: Browser) => Promise<void>): Promise<void> {
    if (!browser || !system) return t.skip(skipReason);
    const s = system;
    try {
      await body(s, browser);
    } catch (err) {
      (err as Error).message += `\n\nscreenshots: ${shots}\nlast log lines:\n${s.logs(25)}`;
      throw err;
    }
  }

  const shot = (phase: string, what = '') => `${String(step).padStart(2, '0')}-${phase}-${what}`;
  /** What the page shows for refused actions in the first phase, on legacy: every later phase must show the same. */
  let legacyRefusals: Record<string, string> | undefined;

  /** A command that needs approval: pending for the user, approved by the admin, seen executed by the user live. */
  async function approvalSeenLive(phase: string): Promise<void> {
    const command = `mkdir approved-${phase}`;
    await user.run(command, 'pending_approval');
    const waiting = admin.approvalItem(command);
    await waiting.waitFor();
    await admin.screenshot(shot(phase, 'approval-waiting'));
    const clickedAt = Date.now();
    await waiting.getByRole('button', { name: 'Approve' }).click();
    const item = await user.waitForCommand(command, 'executed');
    assert.match((await item.locator('.command-meta').textContent()) ?? '', /approved by an administrator/);
    // Over the WebSocket: the user's page asked the server nothing about its commands meanwhile.
    assert.deepEqual(user.responsesSince(clickedAt).filter((r) => r.path.startsWith('/mcp')), [], 'the update came by polling, not live');
    await admin.waitForCommand(command, 'executed');
    await waiting.waitFor({ state: 'detached' });
  }

  /** Who am I, the users list, creating a user, saving a profile, running a command, an approval. */
  async function everyAction(phase: string): Promise<void> {
    step += 1;
    const since = Date.now();
    assert.equal((await admin.whoAmI()).Username, 'admin');
    assert.equal((await user.whoAmI()).Username, regular.username);

    const created = { username: uniqueName('created'), name: `Created on ${phase}`, email: `${uniqueName('c')}@e2e.test`, password: 'created-password-1' };
    await admin.createUser(created);
    const listed = await admin.listUsers();
    for (const name of ['admin', regular.username, created.username]) assert.ok(listed.includes(name), `${name} missing from ${listed.join(', ')}`);
    await user.saveProfileName(`Erin (${phase})`);

    for (const page of [admin, user]) {
      const item = await page.run(`echo hello ${phase}`, 'executed');
      assert.equal(await item.locator('.stream.stdout pre').textContent(), `hello ${phase}\n`);
    }
    await approvalSeenLive(phase);

    const refusals = {
      duplicateUser: await admin.createUserRefused({ ...created, email: `${uniqueName('d')}@e2e.test` }),
      shellOperator: await user.runRefused('echo hello; id'),
      denied: await user.runRefused('bash -c id'),
    };
    legacyRefusals ??= refusals;
    assert.deepEqual(refusals, legacyRefusals, 'the page shows what the legacy app said');
    assert.equal(refusals.duplicateUser, 'Username already exists');

    await admin.screenshot(shot(phase));
    await user.screenshot(shot(phase));
    for (const page of [admin, user]) {
      expectAnsweredBy(page, since, routing);
      page.assertNeverReloaded();
    }
  }

  async function flip(s: ProcessSystem, args: string[], expected: Routing, changes: RegExp[]): Promise<void> {
    const run = await strangler([...args, '--file', s.routesFile], { env: s.cliEnv, cwd: s.dir });
    assert.equal(run.code, 0, `strangler ${args.join(' ')}:\n${run.stdout}${run.stderr}`);
    for (const change of changes) assert.match(run.stdout, change);
    await pollUntil(async () => JSON.stringify(await s.routing()) === JSON.stringify(expected), `the proxy to route ${JSON.stringify(expected)}`);
    routing = expected;
  }

  it('an admin logs in through the proxy (everything on legacy) and creates a regular user', (t) =>
    journey(t, async (s, b) => {
      assert.deepEqual(await s.routing(), routing);
      admin = await ConsolePage.open(b, 'admin', s.url, shots);
      await admin.screenshot('00-login');
      await admin.login(s.admin.username, s.admin.password);
      await admin.createUser(regular);
    }));

  it('the regular user logs in in a second browser context', (t) =>
    journey(t, async (s, b) => {
      user = await ConsolePage.open(b, 'user', s.url, shots);
      await user.login(regular.username, regular.password);
      assert.equal(await user.page.locator('#users-panel').isVisible(), false, 'a regular user sees no user admin');
      assert.equal(await user.page.locator('#approvals').isVisible(), false, 'a regular user approves nothing');
    }));

  it('on legacy: every action works, and an approval arrives live', (t) => journey(t, () => everyAction('legacy')));

  for (const route of ['auth', 'users', 'mcp'] as const) {
    it(`after \`strangler cutover ${route} new\`: every action again, with no reload and no second login`, (t) =>
      journey(t, async (s) => {
        await flip(s, ['cutover', route, 'new'], { ...routing, [route]: 'new' }, [new RegExp(`${route}: legacy -> new`)]);
        await everyAction(`${route}-on-new`);
      }));
  }

  it('the legacy app restarts under open pages: their live connection comes back by itself, now to the new backend', (t) =>
    journey(t, async (s) => {
      step += 1;
      const opened = { admin: admin.sockets.length, user: user.sockets.length };
      const before = await upgradesTo(s, 'mcp', 'new');
      await s.restart('legacy');
      await pollUntil(() => admin.sockets.length > opened.admin && user.sockets.length > opened.user, 'both pages to open a new WebSocket');
      await admin.liveSocket();
      await user.liveSocket();
      assert.ok((await upgradesTo(s, 'mcp', 'new')) >= before + 2, 'the new sockets went to the new backend');

      const command = `touch rejected-${step}`;
      await user.run(command, 'pending_approval');
      await admin.approvalItem(command).getByRole('button', { name: 'Reject' }).click();
      const item = await user.waitForCommand(command, 'rejected');
      assert.match((await item.textContent()) ?? '', /Rejected by an administrator/);
      await user.screenshot(shot('reconnected'));
      await admin.screenshot(shot('reconnected'));
    }));

  it('after `strangler rollback --all`: every action again, on legacy, with the same pages', (t) =>
    journey(t, async (s) => {
      await flip(s, ['rollback', '--all'], { auth: 'legacy', users: 'legacy', mcp: 'legacy' }, [/auth: new -> legacy/, /users: new -> legacy/, /mcp: new -> legacy/]);
      await everyAction('rolled-back');
    }));

  it('ends with no page error, one page load and one login per person', (t) =>
    journey(t, async () => {
      for (const page of [admin, user]) {
        assert.deepEqual(page.errors, [], `${page.label}: errors in the page`);
        page.assertNeverReloaded();
      }
    }));

  it('with everything on new, the user logs out and in again: the session the bridge makes carries the page and its live list', (t) =>
    journey(t, async (s) => {
      step += 1;
      await flip(s, ['cutover', '--all', 'new'], { auth: 'new', users: 'new', mcp: 'new' }, [/auth: legacy -> new/, /users: legacy -> new/, /mcp: legacy -> new/]);
      const since = Date.now();
      const upgrades = await upgradesTo(s, 'mcp', 'new');
      await user.logout();
      await user.login(regular.username, regular.password);
      assert.equal((await user.whoAmI()).Username, regular.username);
      assert.ok((await upgradesTo(s, 'mcp', 'new')) > upgrades, 'the socket of the new session went to the new backend');
      const item = await user.run('echo hello again', 'executed');
      assert.equal(await item.locator('.stream.stdout pre').textContent(), 'hello again\n');
      await approvalSeenLive('logged-in-on-new');
      await user.screenshot(shot('logged-in-on-new'));
      expectAnsweredBy(user, since, routing);
    }));

  it('with mcp rolled back and auth still on new, a session the bridge made opens the legacy socket and runs commands', (t) =>
    journey(t, async (s) => {
      step += 1;
      await flip(s, ['rollback', 'mcp'], { auth: 'new', users: 'new', mcp: 'legacy' }, [/mcp: new -> legacy/]);
      const since = Date.now();
      const upgrades = await upgradesTo(s, 'mcp', 'legacy');
      await user.logout();
      await user.login(regular.username, regular.password);
      assert.ok((await upgradesTo(s, 'mcp', 'legacy')) > upgrades, 'the socket went to the legacy app');
      const item = await user.run('echo hello bridged', 'executed');
      assert.equal(await item.locator('.stream.stdout pre').textContent(), 'hello bridged\n');
      await approvalSeenLive('bridged-session-on-legacy');
      await user.screenshot(shot('bridged-session-on-legacy'));
      expectAnsweredBy(user, since, routing);
    }));
});
