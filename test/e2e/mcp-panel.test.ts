import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { legacyMcp } from '../../legacy-adapter/src/mcp/legacy-mcp.js';
import { launchBrowser } from '../kit/browser.js';
import { ApiClient } from '../kit/client.js';
import { startLegacy, type RunningLegacy } from '../kit/legacy.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../kit/mcp.js';
import { uniqueName } from '../kit/unique.js';
import { ConsolePage } from './console-page.js';
import { waitFor } from '../kit/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The Commands panel's own behaviour, on the legacy app and the real MCP server: what a run
// shows, how the live list recovers from a lost socket, what an ended session and a
// decision someone else made first look like.
describe('the Commands panel in Chromium', { timeout: 5 * 60_000 }, () => {
  let mcp: RunningMcpServer;
  let legacy: RunningLegacy;
  let browser: Browser | undefined;
  let skipReason = '';
  let shots = '';
  const opened: ConsolePage[] = [];
  let adminApi: ApiClient;

  before(async () => {
    const launched = await launchBrowser();
    if (!launched.ok) {
      skipReason = launched.reason;
      return;
    }
    browser = launched.browser;
    mcp = await startMcpServer();
    // A short ping: a socket whose session ended is closed (1008) within a second.
    legacy = await startLegacy({ mcp: legacyMcp({ settings: mcpSettings(mcp), feedIntervalMs: 150, pingIntervalMs: 300 }) });
    mcp.attach(legacy.dbPath);
    adminApi = new ApiClient(legacy.url);
    assert.equal((await adminApi.login(legacy.admin.username, legacy.admin.password)).status, 200);
    shots = join(ROOT, 'test-results', `e2e-panel-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(shots, { recursive: true });
    console.log(`# panel screenshots: ${shots}`);
  });

  after(async () => {
    for (const page of opened) await page.close().catch(() => undefined);
    await browser?.close();
    await legacy?.close();
    await mcp?.close();
  });

  async function withBrowser(t: TestContext, body: (b: Browser) => Promise<void>): Promise<void> {
    if (!browser) return t.skip(skipReason);
    await body(browser);
  }

  /** A new regular user, and an API client logged in as them. */
  async function newUser(): Promise<{ username: string; password: string; id: number; api: ApiClient }> {
    const username = uniqueName('panel');
    const password = 'panel-password-1';
    const created = await adminApi.post('/users', { username, name: `Panel ${username}`, email: `${username}@e2e.test`, password });
    assert.equal(created.status, 201, created.text);
    const api = new ApiClient(legacy.url);
    assert.equal((await api.login(username, password)).status, 200);
    return { username, password, id: (created.body as { id: number }).id, api };
  }

  async function open(b: Browser, label: string, credentials: { username: string; password: string }, prepare?: (page: ConsolePage) => Promise<void>): Promise<ConsolePage> {
    const page = await ConsolePage.open(b, label, legacy.url, shots);
    opened.push(page);
    await prepare?.(page);
    await page.login(credentials.username, credentials.password);
    return page;
  }

  it('shows what a run printed: stderr and the exit code of a failure, output cut off at the limit, older commands folded', (t) =>
    withBrowser(t, async (b) => {
      const user = await newUser();
      writeFileSync(join(mcp.workspace, 'big.txt'), 'x'.repeat(400 * 1024));
      for (let i = 1; i <= 8; i++) assert.equal((await user.api.post('/mcp/execute', { tool_name: 'terminal_command', params: { command: `echo earlier ${i}` } })).status, 200);
      const page = await open(b, 'output', user);
      await page.page.locator('#commands-list li').nth(7).waitFor();

      const failed = await page.run('ls no-such-file', 'failed');
      assert.match((await failed.locator('.stream.stderr pre').textContent()) ?? '', /No such file or directory/);
      assert.match((await failed.locator('.facts').textContent()) ?? '', /^exit code 2/);
      const cut = await page.run('cat big.txt', 'executed');
      assert.equal(await cut.locator('.note.warn').textContent(), 'The output was cut off at the server’s size limit.');

      // Ten commands: the newest eight show, the rest behind one button.
      const more = page.page.locator('#commands-more');
      assert.equal(await more.textContent(), 'Show 2 older commands');
      assert.equal(await page.page.locator('#commands-list li:visible').count(), 8);
      await page.screenshot('output');
      await more.click();
      assert.equal(await page.page.locator('#commands-list li:visible').count(), 10);
      assert.equal(await more.isVisible(), false);
    }));

  it('recovers from a lost socket by itself and shows what changed while it was gone', (t) =>
    withBrowser(t, async (b) => {
      const user = await newUser();
      const sockets: WebSocketRoute[] = [];
      const lost: string[] = [];
      const page = await open(b, 'reconnect', user, (p) =>
        p.page.routeWebSocket(/\/mcp\/ws$/, (ws) => {
          const server = ws.connectToServer();
          // The first socket goes quiet: what the server pushes never reaches the page.
          if (sockets.length === 0) server.onMessage((message) => lost.push(String(message)));
          sockets.push(ws);
        }),
      );
      const command = `mkdir later-${Date.now()}`;
      await page.run(command, 'pending_approval');
      const id = Number(await page.page.locator('#commands-list li[data-status="pending_approval"]').first().getAttribute('data-command-id'));
      assert.equal((await adminApi.post(`/mcp/commands/${id}/approve`)).status, 200);
      await waitFor(() => lost.some((m) => m.includes('"status":"executed"')), 'the server to push the result to the quiet socket', 60_000);
      assert.equal(await page.page.locator(`#commands-list li[data-command-id="${id}"]`).getAttribute('data-status'), 'pending_approval');

      await (sockets[0] as WebSocketRoute).close({ code: 1001, reason: 'Server shutting down' });
      await page.waitForCommand(command, 'executed');
      await page.liveSocket();
      assert.equal(sockets.length, 2, 'one new socket');
      await page.screenshot('reconnected');
    }));

  it('goes back to the login form by itself when the server closes the socket because the session ended', (t) =>
    withBrowser(t, async (b) => {
      const user = await newUser();
      const page = await open(b, 'ended', user);
      assert.equal((await adminApi.delete(`/users/${user.id}`)).status, 204);
      await page.page.locator('#login-view').waitFor();
      assert.equal(await page.page.locator('#banner-text').textContent(), 'Your session has ended. Please log in again.');
      assert.equal(await page.page.locator('#mcp-panel').isVisible(), false);
      await page.screenshot('session-ended');
      assert.deepEqual(page.errors, []);
    }));

  it('tells an admin plainly when someone else decided first, and drops the command from the waiting list', (t) =>
    withBrowser(t, async (b) => {
      const user = await newUser();
      const command = `touch decided-${Date.now()}`;
      const pending = await user.api.post('/mcp/execute', { tool_name: 'terminal_command', params: { command } });
      assert.equal(pending.status, 202, pending.text);
      // The page's own timers stand still, so its 5 s poll cannot refresh the list under the click.
      const page = await open(b, 'second-admin', legacy.admin, (p) => p.page.clock.install());
      await page.page.click('#refresh-approvals');
      const item = page.approvalItem(command);
      await item.waitFor();
      assert.equal((await adminApi.post(`/mcp/commands/${(pending.body as { id: number }).id}/approve`)).status, 200);
      await item.getByRole('button', { name: 'Reject' }).click();
      await item.waitFor({ state: 'detached' });
      assert.equal(await page.page.locator('#banner-text').textContent(), `Could not reject #${(pending.body as { id: number }).id}: Command is not pending approval`);
      // The full list follows: the command shows how it really ended.
      await page.waitForCommand(command, 'executed');
      await page.screenshot('decided-elsewhere');
    }));
});
