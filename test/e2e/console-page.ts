import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** One answer the page got through the proxy, and who gave it. */
export interface SeenResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The proxy's X-Backend header. */
  readonly backend: string | undefined;
  /** When the page sent the request (Date.now()). */
  readonly sentAt: number;
}

const WAIT = { timeout: 45_000 } as const;

/**
 * The Team Console page in its own browser context, driven as a person would: forms,
 * buttons, what is on screen. It records every answer (with X-Backend), every main-frame
 * navigation and every WebSocket the page opens, so a test can check that nothing was
 * reloaded and which backend answered what.
 */
export class ConsolePage {
  readonly responses: SeenResponse[] = [];
  readonly navigations: string[] = [];
  readonly sockets: Array<{ url: string; closed: boolean }> = [];
  readonly errors: string[] = [];

  private constructor(
    readonly label: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly shotsDir: string,
  ) {
    const sent = new WeakMap<object, number>();
    page.on('request', (req) => sent.set(req, Date.now()));
    page.on('response', (res) => {
      const url = new URL(res.url());
      const sentAt = sent.get(res.request()) ?? Date.now();
      this.responses.push({ method: res.request().method(), path: url.pathname + url.search, status: res.status(), backend: res.headers()['x-backend'], sentAt });
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.navigations.push(frame.url());
    });
    page.on('websocket', (ws) => {
      const entry = { url: ws.url(), closed: false };
      this.sockets.push(entry);
      ws.on('close', () => (entry.closed = true));
    });
    page.on('pageerror', (err) => this.errors.push(String(err)));
  }

  static async open(browser: Browser, label: string, url: string, shotsDir: string): Promise<ConsolePage> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    const console = new ConsolePage(label, context, page, shotsDir);
    await page.goto(url);
    await page.locator('#login-view').waitFor();
    return console;
  }

  async login(username: string, password: string): Promise<void> {
    await this.page.fill('#login-form input[name=username]', username);
    await this.page.fill('#login-form input[name=password]', password);
    await this.page.click('#login-form button[type=submit]');
    await this.page.locator('#app-view').waitFor();
    await this.liveSocket();
  }

  /** Clicks "Log out": the login form comes back and the live connection goes. */
  async logout(): Promise<void> {
    await this.page.click('#logout');
    await this.page.locator('#login-view').waitFor();
    await this.page.locator('#mcp-panel').waitFor({ state: 'hidden' });
  }

  /** Clicks "Refresh" on Who am I; the fields shown, by label. */
  async whoAmI(): Promise<Record<string, string>> {
    const answered = this.page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/me');
    await this.page.click('#refresh-me');
    assert.equal((await answered).status(), 200, `${this.label}: GET /auth/me`);
    await this.page.locator('#refresh-me:not([disabled])').waitFor();
    const labels = await this.page.locator('#me dt').allTextContents();
    const values = await this.page.locator('#me dd').allTextContents();
    return Object.fromEntries(labels.map((l, i) => [l, values[i] ?? '']));
  }

  /** Clicks "Refresh" on Users; the usernames listed. */
  async listUsers(): Promise<string[]> {
    const answered = this.page.waitForResponse((r) => new URL(r.url()).pathname === '/users' && r.request().method() === 'GET');
    await this.page.click('#refresh-users');
    assert.equal((await answered).status(), 200, `${this.label}: GET /users`);
    const cells = await this.page.locator('#users-body tr td:nth-child(2)').allTextContents();
    return cells.map((c) => c.replace(/\s+you$/, '').trim());
  }

  async createUser(user: { username: string; name: string; email: string; password: string; role?: 'user' | 'admin' }): Promise<void> {
    const form = this.page.locator('#create-form');
    for (const field of ['username', 'name', 'email', 'password'] as const) await form.locator(`input[name=${field}]`).fill(user[field]);
    await form.locator('select[name=role]').selectOption(user.role ?? 'user');
    await form.locator('button[type=submit]').click();
    await this.settled(this.page.locator('#users-body tr', { hasText: user.username }), form);
  }

  /** A regular user's own profile: saves a new name, then reads it back from the top bar. */
  async saveProfileName(name: string): Promise<void> {
    const form = this.page.locator('#profile-form');
    await form.locator('input[name=name]').fill(name);
    await form.locator('button[type=submit]').click();
    await this.settled(this.page.locator('#whoami', { hasText: name }), form);
  }

  /** Types a command and clicks Run; resolves with its item once it shows `status`. */
  async run(command: string, status: string): Promise<Locator> {
    await this.page.fill('#command-form input[name=command]', command);
    await this.page.click('#command-form button[type=submit]');
    await this.page.locator('#command-form button[type=submit]:not([disabled])').waitFor();
    await this.expectNoFormError(this.page.locator('#command-form'));
    return this.waitForCommand(command, status);
  }

  /**
   * The newest item for `command` once it shows `status` (updates arrive by themselves),
   * as a locator by its id, so a later run of the same text is another item.
   */
  async waitForCommand(command: string, status: string): Promise<Locator> {
    const item = this.page.locator(`#commands-list li[data-status="${status}"]`, { has: this.page.locator('code.command-text', { hasText: exactly(command) }) }).first();
    await item.waitFor();
    const id = await item.getAttribute('data-command-id');
    return this.page.locator(`#commands-list li[data-command-id="${id}"]`);
  }

  /** Runs a command the server refuses; the error the form shows. */
  async runRefused(command: string): Promise<string> {
    await this.page.fill('#command-form input[name=command]', command);
    await this.page.click('#command-form button[type=submit]');
    return this.formError(this.page.locator('#command-form'));
  }

  /** Submits the create-user form with values the server refuses; the error it shows. */
  async createUserRefused(user: { username: string; name: string; email: string; password: string }): Promise<string> {
    const form = this.page.locator('#create-form');
    for (const field of ['username', 'name', 'email', 'password'] as const) await form.locator(`input[name=${field}]`).fill(user[field]);
    await form.locator('button[type=submit]').click();
    const message = await this.formError(form);
    // Leave the form empty for the next person at the keyboard.
    for (const field of ['username', 'name', 'email', 'password'] as const) await form.locator(`input[name=${field}]`).fill('');
    return message;
  }

  /** The admin's "Waiting for approval" entry for a command (the list is polled). */
  approvalItem(command: string): Locator {
    return this.page.locator('#approvals-list li', { has: this.page.locator('code.command-text', { hasText: exactly(command) }) });
  }

  async liveSocket(): Promise<void> {
    await this.page.locator('#mcp-live[data-state="live"]').waitFor();
  }

  /** Answers to requests the page sent at or after `time` (Date.now()). */
  responsesSince(time: number): SeenResponse[] {
    return this.responses.filter((r) => r.sentAt >= time);
  }

  async screenshot(step: string): Promise<string> {
    const file = join(this.shotsDir, `${step}-${this.label}.png`.replace(/--+/g, '-'));
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** Still the one page loaded at the start, logged in once. */
  assertNeverReloaded(): void {
    assert.equal(this.navigations.length, 1, `${this.label}: the page navigated ${this.navigations.length} times: ${this.navigations.join(', ')}`);
    const logins = this.responses.filter((r) => r.method === 'POST' && r.path === '/auth/login');
    assert.equal(logins.length, 1, `${this.label}: logged in ${logins.length} times`);
  }

  private async formError(form: Locator): Promise<string> {
    await form.locator('button[type=submit]:not([disabled])').waitFor();
    const error = form.locator('.form-error:not([hidden])');
    await error.waitFor();
    return (await error.textContent()) ?? '';
  }

  /** Waits for `done` or for the form's error, and fails with the error's text. */
  private async settled(done: Locator, form: Locator): Promise<void> {
    await done.or(form.locator('.form-error:not([hidden])')).first().waitFor();
    await this.expectNoFormError(form);
  }

  private async expectNoFormError(form: Locator): Promise<void> {
    const error = form.locator('.form-error');
    if (await error.isVisible()) assert.fail(`${this.label}: the form shows an error: ${await error.textContent()}`);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
