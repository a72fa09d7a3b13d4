import assert from 'node:assert/strict';
import { uniqueName } from '../kit/unique.js';
import type { ConsolePage } from './console-page.js';
import { expectAnsweredBy, upgradesTo, type Routing } from './expectations.js';
import type { ProcessSystem } from '../kit/process-system.js';
import { strangler } from './strangler-cli.js';
import { waitFor } from '../kit/index.js';

/**
 * The actions the cutover test repeats after every flip, by two people who keep their
 * pages open: an admin, and a regular user the admin created. Remembers the routing in
 * force, the step number (screenshot names), and what the page showed for refused
 * actions on legacy, which every later routing must show the same.
 */
export class CutoverJourney {
  step = 0;
  routing: Routing = { auth: 'legacy', users: 'legacy', mcp: 'legacy' };
  private legacyRefusals: Record<string, string> | undefined;

  constructor(
    readonly system: ProcessSystem,
    readonly admin: ConsolePage,
    readonly user: ConsolePage,
    readonly regular: { readonly username: string; readonly password: string },
  ) {}

  /** `<step>-<phase>-<what>`: screenshots sort in the order they were taken. */
  shot(phase: string, what = ''): string {
    return `${String(this.step).padStart(2, '0')}-${phase}-${what}`;
  }

  /** Runs `strangler <args> --file <routes.yaml>` and waits until the proxy routes as `expected`. */
  async flip(args: string[], expected: Routing, changes: RegExp[]): Promise<void> {
    const s = this.system;
    const run = await strangler([...args, '--file', s.routesFile], { env: s.cliEnv, cwd: s.dir });
    assert.equal(run.code, 0, `strangler ${args.join(' ')}:\n${run.stdout}${run.stderr}`);
    for (const change of changes) assert.match(run.stdout, change);
    await waitFor(async () => JSON.stringify(await s.routing()) === JSON.stringify(expected), `the proxy to route ${JSON.stringify(expected)}`, 60_000);
    this.routing = expected;
  }

  /** A command that needs approval: pending for the user, approved by the admin, seen executed by the user live. */
  async approvalSeenLive(phase: string): Promise<void> {
    const { admin, user } = this;
    const command = `mkdir approved-${phase}`;
    await user.run(command, 'pending_approval');
    const waiting = admin.approvalItem(command);
    await waiting.waitFor();
    await admin.screenshot(this.shot(phase, 'approval-waiting'));
    const clickedAt = Date.now();
    await waiting.getByRole('button', { name: 'Approve' }).click();
    const item = await user.waitForCommand(command, 'executed');
    assert.match((await item.locator('.command-meta').textContent()) ?? '', /approved by an administrator/);
    // Over the WebSocket: the user's page asked the server nothing about its commands meanwhile.
    assert.deepEqual(user.responsesSince(clickedAt).filter((r) => r.path.startsWith('/mcp')), [], 'the update came by polling, not live');
    await admin.waitForCommand(command, 'executed');
    await waiting.waitFor({ state: 'detached' });
  }

  /** Who am I, the users list, creating a user, saving a profile, running commands, an approval, refusals. */
  async everyAction(phase: string): Promise<void> {
    const { admin, user, regular } = this;
    this.step += 1;
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
    await this.approvalSeenLive(phase);

    const refusals = {
      duplicateUser: await admin.createUserRefused({ ...created, email: `${uniqueName('d')}@e2e.test` }),
      shellOperator: await user.runRefused('echo hello; id'),
      denied: await user.runRefused('bash -c id'),
    };
    this.legacyRefusals ??= refusals;
    assert.deepEqual(refusals, this.legacyRefusals, 'the page shows what the legacy app said');
    assert.equal(refusals.duplicateUser, 'Username already exists');

    await admin.screenshot(this.shot(phase));
    await user.screenshot(this.shot(phase));
    for (const page of [admin, user]) {
      expectAnsweredBy(page, since, this.routing);
      page.assertNeverReloaded();
    }
  }

  /**
   * The user logs out and in again on the same page: the new session's socket goes to the
   * backend `mcp` is routed to, and commands and approvals work on it.
   */
  async relogin(phase: string): Promise<void> {
    const { user, regular, system } = this;
    this.step += 1;
    const since = Date.now();
    const upgrades = await upgradesTo(system, 'mcp', this.routing.mcp);
    await user.logout();
    await user.login(regular.username, regular.password);
    assert.equal((await user.whoAmI()).Username, regular.username);
    assert.ok((await upgradesTo(system, 'mcp', this.routing.mcp)) > upgrades, `the new session's socket went to ${this.routing.mcp}`);
    const item = await user.run(`echo hello ${phase}`, 'executed');
    assert.equal(await item.locator('.stream.stdout pre').textContent(), `hello ${phase}\n`);
    await this.approvalSeenLive(phase);
    await user.screenshot(this.shot(phase));
    expectAnsweredBy(user, since, this.routing);
  }
}
