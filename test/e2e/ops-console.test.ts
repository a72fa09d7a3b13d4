import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createShadowExtension } from '../../proxy/src/shadow/index.js';
import { launchBrowser } from '../kit/browser.js';
import { startEchoBackend, type EchoBackend } from '../kit/proxy/echo-backend.js';
import type { ApiClient } from '../kit/client.js';
import { SYSTEM_ADMIN_TOKEN, startSystem, type RunningSystem } from '../kit/system.js';
import { tempDir } from '../kit/temp.js';
import { waitFor } from '../kit/wait-for.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WAIT = 30_000;

// The ops console driven in Chromium against the real system (legacy app, new backend, proxy
// with shadow traffic), as an operator would: sign in, watch the figures move under load, roll
// back with the button, find the action in the history, and do it all from the keyboard.
describe('the ops console in Chromium', { timeout: 5 * 60_000 }, () => {
  let system: RunningSystem;
  let browser: Browser | undefined;
  let skipReason = '';
  let shots = '';
  const diffsDir = tempDir('strangler-console-diffs-');
  let stopLoad: (() => Promise<number>) | undefined;
  // An extra route whose two backends answer differently: its card shows differing paths.
  const echoes: EchoBackend[] = [];

  before(async () => {
    const launched = await launchBrowser();
    if (!launched.ok) {
      skipReason = launched.reason;
      return;
    }
    browser = launched.browser;
    echoes.push(await startEchoBackend('orders-old'), await startEchoBackend('orders-new'));
    system = await startSystem({
      extraBackends: { 'orders-old': { url: echoes[0]!.url, auth: 'session' }, 'orders-new': { url: echoes[1]!.url, auth: 'session' } },
      extraRoutes: [{ name: 'orders', paths: ['/orders/**'], target: 'orders-old', lines: ['shadow: { to: orders-new, methods: [GET], percent: 100 }'] }],
      routing: { users: 'new' },
      routeLines: { mcp: ['shadow: { to: new, methods: [GET], percent: 100 }'] },
      extensions: (bridge) => [createShadowExtension({ diffsPath: diffsDir.file('diffs.db'), authorizeShadow: bridge.authorizeShadow }), bridge],
    });
    shots = join(ROOT, 'test-results', `console-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(shots, { recursive: true });
    console.log(`# console screenshots: ${shots}`);
  });

  after(async () => {
    await stopLoad?.();
    await browser?.close();
    await system?.close();
    for (const echo of echoes) await echo.close();
    diffsDir.cleanup();
  });

  function withBrowser(t: TestContext, body: (b: Browser) => Promise<void>): Promise<void> | void {
    if (!browser) return t.skip(skipReason);
    return body(browser);
  }

  /** A logged-in user of the app reading users and commands in a loop, until stopped. */
  async function startLoad(): Promise<() => Promise<number>> {
    const user: ApiClient = system.client();
    assert.equal((await user.login(system.admin.username, system.admin.password)).status, 200);
    let running = true;
    let sent = 0;
    const loop = (async () => {
      while (running) {
        // /health matches no route: it goes to the default backend.
        for (const path of ['/users', '/users/1', '/mcp/commands?limit=5', '/orders/7', '/health']) {
          const res = await user.get(path);
          assert.ok(res.status < 500, `${path}: ${res.status}`);
          sent += 1;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    return async () => {
      running = false;
      await loop;
      return sent;
    };
  }

  const card = (page: Page, route: string) => page.locator(`article[data-route="${route}"]`);
  const figure = (page: Page, route: string, backend: string, name: string) => card(page, route).locator(`[data-backend="${backend}"] [data-figure="${name}"]`);

  /** Runs `body`; a failure carries a screenshot, the notice the page shows and the routing the proxy has. */
  async function explained(page: Page, label: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      const path = join(shots, `${label}-failed.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      const notice = await page.locator('#notice').textContent({ timeout: 1_000 }).catch(() => null);
      const routing = system.proxy.table().routes.map((r) => `${r.name}: ${r.target}`).join(', ');
      (err as Error).message += `\n\npage notice: ${notice || '(none)'}\nproxy routing: ${routing}\nscreenshot: ${path}`;
      throw err;
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${system.url}/__proxy/ui`);
    await page.locator('#sign-in-form').waitFor();
    assert.equal(await page.locator('#console-view').isVisible(), false);
    await page.fill('#token', SYSTEM_ADMIN_TOKEN);
    await page.press('#token', 'Enter');
    await card(page, 'users').waitFor({ timeout: WAIT });
  }

  it('signs in, shows the figures moving under load, rolls back with the button and shows it in the history', (t) =>
    withBrowser(t, async (b) => {
      const context = await b.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      const urls: string[] = [];
      page.on('request', (req) => urls.push(req.url()));
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(String(err)));
      try {
        await signIn(page);
        assert.equal(await page.locator('#sign-in-view').isVisible(), false);
        assert.ok(!(await page.evaluate(() => document.cookie)).includes('strangler_console'), 'the session cookie is HttpOnly');
        await page.locator('#live.live-live').waitFor({ timeout: WAIT });

        stopLoad = await startLoad();
        // Figures move: the new backend's request rate rises from nothing, then keeps changing.
        const rps = figure(page, 'users', 'new', 'rps');
        const firstSeen = await waitFor(async () => {
          const text = (await rps.textContent()) ?? '';
          return Number.parseFloat(text) > 0 ? text : undefined;
        }, 'a request rate above zero for users on new', WAIT);
        await waitFor(async () => ((await rps.textContent()) ?? '') !== firstSeen, `the rate to move on from ${firstSeen}`, WAIT);
        assert.ok(await card(page, 'users').locator('[data-backend="new"] svg.spark polyline').count() > 0, 'sparklines are drawn');
        await waitFor(async () => /\d/.test((await figure(page, 'users', 'new', 'p99').textContent()) ?? ''), 'a p99 for users on new', WAIT);
        // mcp's reads are shadowed to new: its match rate shows.
        await waitFor(async () => /%/.test((await card(page, 'mcp').locator('[data-figure="matchRate"]').textContent().catch(() => '')) ?? ''), 'the match rate of mcp', WAIT);
        // orders' two backends name themselves in every answer: the card lists what differs.
        const orders = card(page, 'orders');
        await orders.locator('ol.top-paths li', { hasText: '$.backend' }).waitFor({ timeout: WAIT });
        assert.equal(await orders.locator('[data-figure="matchRate"]').textContent(), '0 %');
        // What no route matches has a card of its own, last, with its figures and no actions.
        const fallback = card(page, '(default)');
        await waitFor(async () => Number.parseFloat((await figure(page, '(default)', 'legacy', 'rps').textContent()) ?? '') > 0, 'a request rate above zero for the default backend', WAIT);
        assert.equal(await fallback.locator('.pill.target').textContent(), '→ legacy');
        assert.equal(await fallback.locator('button').count(), 0, 'the default moves by editing routes.yaml, not from the console');
        assert.equal(await page.locator('#routes > article').last().getAttribute('data-route'), '(default)');
        assert.equal(await page.locator('#routes > article').count(), 5, 'auth, users, mcp, orders, then the default');
        await page.screenshot({ path: join(shots, '1-signed-in-under-load.png'), fullPage: true });

        // Roll back users with its button; the dialog asks first.
        await card(page, 'users').getByRole('button', { name: 'Roll back users' }).click();
        const dialog = page.locator('dialog#confirm');
        await dialog.waitFor();
        assert.equal(await page.locator('#confirm-title').textContent(), 'Roll back users');
        await page.screenshot({ path: join(shots, '2-confirm-roll-back.png') });
        await dialog.getByRole('button', { name: 'Roll back' }).click();
        await card(page, 'users').locator('.pill.target', { hasText: '→ legacy' }).waitFor({ timeout: WAIT });
        assert.equal(system.proxy.table().routes.find((r) => r.name === 'users')?.target, 'legacy');
        assert.equal((await system.client().get('/users')).headers.get('x-backend'), 'legacy');

        const entry = page.locator('#history li', { hasText: 'console:admin' }).filter({ hasText: 'users' }).first();
        await entry.waitFor({ timeout: WAIT });
        assert.match((await entry.textContent()) ?? '', /legacy/);
        const history = await (await system.adminApi('history?route=users&limit=1')).json() as { entries: Array<{ route: string; actor: { kind: string; name: string }; to: { target?: string } }> };
        assert.deepEqual(history.entries[0]?.actor, { kind: 'console', name: 'admin' });
        assert.equal(history.entries[0]?.to.target, 'legacy');
        await page.screenshot({ path: join(shots, '3-rolled-back-history.png'), fullPage: true });

        assert.deepEqual(urls.filter((u) => u.includes(SYSTEM_ADMIN_TOKEN)), [], 'the token is in no URL the page requested');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }));

  it('is driven from the keyboard: tab to a button, confirm in the dialog, with the focus always visible', (t) =>
    withBrowser(t, async (b) => {
      const context = await b.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      try {
        await explained(page, 'keyboard', async () => {
          const cutovers: string[] = [];
          page.on('request', (req) => {
            if (req.method() === 'PUT' && req.url().endsWith('/__proxy/routes/users')) cutovers.push(req.postData() ?? '');
          });
          await signIn(page);
          const users = system.proxy.table().routes.find((r) => r.name === 'users');
          const wanted = users?.target === 'new' ? 'legacy' : 'new';
          let reached = false;
          for (let i = 0; i < 80 && !reached; i++) {
            await page.keyboard.press('Tab');
            reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Cut over users');
          }
          assert.ok(reached, 'Tab reaches the "Cut over users" button');
          const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
          assert.notEqual(outline, 'none', 'the focused button shows its focus');
          await page.keyboard.press('Enter');
          await page.locator('dialog#confirm[open]').waitFor();
          assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'to', 'the focus is in the dialog, on its first field');
          await page.keyboard.press('Escape');
          await page.locator('dialog#confirm[open]').waitFor({ state: 'detached' });
          assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Cut over users', 'Escape says no and gives the focus back');
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'users')?.target, users?.target, 'nothing changed on Escape');

          await page.keyboard.press('Enter');
          await page.locator('dialog#confirm[open]').waitFor();
          // The browser fires a dialog's close event in a later task: the one of the dialog just
          // dismissed, delivered late, must not be taken as this one's answer.
          await page.evaluate(() => document.getElementById('confirm')?.dispatchEvent(new Event('close')));
          await page.keyboard.press('Tab'); // Cancel
          await page.keyboard.press('Tab'); // Cut over
          assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cut over');
          await page.keyboard.press('Enter');
          // The page says how the request went before the live feed redraws the card.
          const notice = page.locator('#notice').filter({ hasText: /^(Done|Could not)/ });
          await notice.waitFor({ timeout: WAIT });
          assert.match((await notice.textContent()) ?? '', new RegExp(`^Done: cut users over to ${wanted}`));
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'users')?.target, wanted);
          await card(page, 'users').locator('.pill.target', { hasText: `→ ${wanted}` }).waitFor({ timeout: WAIT });
          assert.deepEqual(cutovers.map((body) => JSON.parse(body) as unknown), [{ target: wanted, canary: null }], 'one request, for the dialog that was confirmed');
        });
      } finally {
        await context.close();
      }
    }));

  it('starts a rollout with its button, shows its step and gates, then pauses, resumes and aborts it, each in the history', (t) =>
    withBrowser(t, async (b) => {
      const context = await b.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      try {
        await explained(page, 'rollout', async () => {
          await signIn(page);
          const mcp = card(page, 'mcp');
          const state = mcp.locator('[data-rollout-state]');
          const confirm = async (button: string, label: string) => {
            await mcp.getByRole('button', { name: button }).click();
            await page.locator('dialog#confirm[open]').waitFor();
            await page.locator('dialog#confirm').getByRole('button', { name: label }).click();
            await page.locator('dialog#confirm[open]').waitFor({ state: 'detached' });
          };

          // A refusal is shown with the proxy's own reason, and changes nothing.
          await card(page, 'auth').getByRole('button', { name: 'Start a rollout of auth' }).click();
          await page.locator('dialog#confirm[open]').waitFor();
          await page.fill('#confirm-field-steps', '50, 10');
          await page.locator('dialog#confirm').getByRole('button', { name: 'Start rollout' }).click();
          await page.locator('#notice.error', { hasText: 'Could not start a rollout of auth to new' }).waitFor({ timeout: WAIT });
          assert.match((await page.locator('#notice').textContent()) ?? '', /increas/i, 'the reason names the steps');
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'auth')?.rollout, undefined);

          await mcp.getByRole('button', { name: 'Start a rollout of mcp' }).click();
          await page.locator('dialog#confirm[open]').waitFor();
          assert.equal(await page.locator('#confirm-field-to').inputValue(), 'new');
          await page.fill('#confirm-field-steps', '10, 50, 100');
          await page.fill('#confirm-field-every', '10m');
          await page.fill('#confirm-field-gates', 'error-rate=2%');
          await page.locator('dialog#confirm').getByRole('button', { name: 'Start rollout' }).click();
          await waitFor(async () => ['shadow', 'canary'].includes((await state.textContent().catch(() => '')) ?? ''), 'the rollout of mcp to run', WAIT);
          assert.deepEqual(await mcp.locator('.steps li').allTextContents(), ['10 %', '50 %', '100 %']);
          await waitFor(async () => (await mcp.locator('table.gates tr[data-gate]').count()) > 0, 'the gates of mcp', WAIT);
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'mcp')?.rollout?.gates.errorRate, 0.02, 'the gate limit typed in the dialog is the rollout\'s');
          await page.screenshot({ path: join(shots, '5-rollout-running.png'), fullPage: true });
          if (process.env.STRANGLER_DOCS_SCREENSHOT === '1') copyFileSync(join(shots, '5-rollout-running.png'), join(ROOT, 'docs', 'console.png'));

          await confirm('Pause the rollout of mcp', 'Pause');
          await mcp.locator('[data-rollout-state="paused"]').waitFor({ timeout: WAIT });
          await confirm('Resume the rollout of mcp', 'Resume');
          await waitFor(async () => ['shadow', 'canary'].includes((await state.textContent().catch(() => '')) ?? ''), 'the rollout of mcp to run again', WAIT);
          await confirm('Abort the rollout of mcp', 'Abort');
          await mcp.getByRole('button', { name: 'Start a rollout of mcp' }).waitFor({ timeout: WAIT });
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'mcp')?.target, 'legacy');
          assert.equal(system.proxy.table().routes.find((r) => r.name === 'mcp')?.canary, undefined);

          const history = await (await system.adminApi('history?route=mcp&limit=10')).json() as { entries: Array<{ actor: { kind: string; name: string } }> };
          const byConsole = history.entries.filter((e) => e.actor.kind === 'console' && e.actor.name === 'admin');
          assert.ok(byConsole.length >= 3, `start, pause, resume and abort are in the history as console:admin: ${JSON.stringify(history.entries)}`);
        });
      } finally {
        await context.close();
      }
    }));

  it('reads in a narrow window, and signing out brings back the form and ends API access', (t) =>
    withBrowser(t, async (b) => {
      const context = await b.newContext({ viewport: { width: 400, height: 900 } });
      const page = await context.newPage();
      try {
        await signIn(page);
        await card(page, 'mcp').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no sideways scrolling at 400 px (${overflow} px too wide)`);
        await page.screenshot({ path: join(shots, '4-narrow.png'), fullPage: true });

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.locator('#sign-in-form').waitFor();
        assert.equal(await page.locator('#console-view').isVisible(), false);
        const status = await page.evaluate(async () => (await fetch('/__proxy/routes')).status);
        assert.equal(status, 401, 'the admin API is closed to this browser once signed out');
      } finally {
        await context.close();
      }
    }));
});
