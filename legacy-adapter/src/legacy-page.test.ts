import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../test/kit/browser.js';
import { startLegacy, type RunningLegacy } from '../../test/kit/legacy.js';

// A smoke test of the page in a real browser: the paths a person takes first.
describe('legacy page in Chromium', { timeout: 120_000 }, () => {
  let legacy: RunningLegacy;
  let browser: Browser | undefined;
  let skipReason: string | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    legacy = await startLegacy();
    const launched = await launchBrowser();
    if (launched.ok) browser = launched.browser;
    else skipReason = launched.reason;
  });
  after(async () => {
    await browser?.close();
    await legacy.close();
  });

  async function loggedInPage(username: string, password: string): Promise<Page> {
    const page = await (browser as Browser).newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(legacy.url);
    await page.fill('#login-form input[name=username]', username);
    await page.fill('#login-form input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app-view:not([hidden])');
    return page;
  }

  it('shows the API error for a wrong password', async (t) => {
    if (!browser) return t.skip(skipReason);
    const page = await browser.newPage();
    await page.goto(legacy.url);
    await page.fill('#login-form input[name=username]', legacy.admin.username);
    await page.fill('#login-form input[name=password]', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-form .form-error:not([hidden])');
    assert.equal(await page.textContent('#login-form .form-error'), 'Incorrect username or password');
    await page.close();
  });

  it('lets an admin create, edit and delete a user, edit themself, and log out', async (t) => {
    if (!browser) return t.skip(skipReason);
    const page = await loggedInPage(legacy.admin.username, legacy.admin.password);
    await page.waitForSelector('#users-body tr');

    await page.fill('#create-form input[name=username]', 'page_user');
    await page.fill('#create-form input[name=name]', 'Page User');
    await page.fill('#create-form input[name=email]', 'page_user@example.test');
    await page.fill('#create-form input[name=password]', 'short');
    await page.click('#create-form button[type=submit]');
    await page.waitForSelector('#create-form .form-error:not([hidden])');
    assert.equal(await page.textContent('#create-form .form-error'), 'Password must be 8-200 characters');
    await page.fill('#create-form input[name=password]', 'long-enough-password');
    await page.click('#create-form button[type=submit]');
    const row = page.locator('#users-body tr', { hasText: 'page_user' });
    await row.waitFor();

    await row.getByRole('button', { name: 'Edit' }).click();
    await page.fill('#edit-form input[name=name]', 'Renamed User');
    await page.click('#edit-form button[type=submit]');
    await page.locator('#users-body tr', { hasText: 'Renamed User' }).waitFor();

    // The seeded admin's own email may predate the email rule: editing only the name must work.
    const me = page.locator('#users-body tr', { hasText: legacy.admin.username }).first();
    await me.getByRole('button', { name: 'Edit' }).click();
    await page.fill('#edit-form input[name=name]', 'Chief Admin');
    await page.click('#edit-form button[type=submit]');
    await page.waitForSelector('#whoami:has-text("Chief Admin")');

    await page.locator('#users-body tr', { hasText: 'page_user' }).getByRole('button', { name: 'Delete' }).click();
    await page.click('#confirm-dialog button[value=confirm]');
    await page.locator('#users-body tr', { hasText: 'page_user' }).waitFor({ state: 'detached' });

    await page.click('#logout');
    await page.waitForSelector('#login-view:not([hidden])');
    assert.equal((await page.evaluate(() => fetch('/auth/me').then((r) => r.status))), 401);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});
