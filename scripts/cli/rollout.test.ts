import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { captureIo, closedPortUrl } from '../../test/kit/cli-fixture.js';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { ADMIN_TOKEN, startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openHistoryStore } from '../../proxy/src/history/index.js';
import { run as rollout } from './rollout.js';
import { run as history } from './history.js';
import { run as cutover } from './cutover.js';

describe('strangler rollout and strangler history', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  const temp = tempDir('strangler-rollout-cli-');
  const historyFile = temp.file('history.db');

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    proxy = await startProxy(routesYaml({
      backends: { legacy: { url: legacy.url }, new: { url: next.url, auth: 'jwt' } },
      default: 'legacy',
      routes: [
        { name: 'users', paths: ['/users', '/users/**'], target: 'legacy' },
        { name: 'mcp', paths: ['/mcp/**'], target: 'legacy' },
      ],
    }), { proxyOptions: { historyGraceMs: 50 } });
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
    temp.cleanup();
  });

  const io = () => captureIo(temp.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: ADMIN_TOKEN, USER: 'ana', HISTORY_PATH: historyFile, ROUTES_FILE: proxy.file });

  it('starts a rollout in the running proxy, which writes its first step to routes.yaml', async () => {
    const out = io();
    assert.equal(await rollout(['users', '--to', 'new', '--steps', '20,50,100', '--every', '1h', '--gates', 'latency-p95=off,critical-errors=10'], out), 0, out.text());
    assert.match(out.text(), /users: canary step 1 of 3: 20 % of users on new/);
    assert.match(readFileSync(proxy.file, 'utf8'), /rollout: \{ to: new, steps: \[20, 50, 100\], every: 1h, gates: \{ latency-p95: off, critical-errors: 10 \} \}/);
    const entry = proxy.proxy.history.list({ route: 'users' })[0];
    assert.deepEqual(entry?.actor, { kind: 'cli', name: 'ana' });
  });

  it('lists rollouts as a table a person can scan, and as JSON', async () => {
    const table = io();
    assert.equal(await rollout(['--status'], table), 0, table.text());
    assert.match(table.text(), /users .*canary 1\/3 · 20 %.*legacy → new.*1h/);
    assert.match(table.text(), /… error-rate 0\.00 % ≤ 1\.00 % \(n 0\/381\)|… error-rate – ≤ 1\.00 % \(n 0\/381\)/);
    const json = io();
    assert.equal(await rollout(['--status', '--json'], json), 0);
    const body = JSON.parse(json.stdout.join('\n')) as { rollouts: Array<{ route: string; state: string; percent: number }> };
    assert.deepEqual(body.rollouts.map((r) => [r.route, r.state, r.percent]), [['users', 'canary', 20]]);
  });

  it('refuses a second rollout on the route, and a rollout to the current target', async () => {
    const twice = io();
    assert.equal(await rollout(['users', '--to', 'new'], twice), 1);
    assert.match(twice.text(), /users already has a rollout to new: one rollout per route/);
    const same = io();
    assert.equal(await rollout(['mcp', '--to', 'legacy'], same), 1);
    assert.match(same.text(), /mcp already targets legacy: there is nothing to roll out/);
  });

  it('a cutover during the rollout is recorded as the CLI user, and says the rollout pauses', async () => {
    const out = io();
    assert.equal(await cutover(['users', 'new', '--percent', '30'], out), 0, out.text());
    assert.match(out.text(), /users had a rollout running \(canary step 1 of 3 \(20 %\)\): the proxy pauses it now; resume it with strangler rollout users --resume/);
    proxy.proxy.reload();
    await waitFor(() => proxy.proxy.rollouts.list()[0]?.state === 'paused', 'the rollout paused by the proxy');
    const store = openHistoryStore(historyFile);
    assert.deepEqual(store.list({ route: 'users' }).map((e) => [e.change, `${e.actor.kind}:${e.actor.name}`]), [['canary new 20% → 30%', 'cli:ana']]);
    store.close();
  });

  it('resumes and aborts', async () => {
    const resumed = io();
    assert.equal(await rollout(['users', '--resume'], resumed), 0, resumed.text());
    assert.match(resumed.text(), /canary step 1 of 3: 20 % of users on new/);
    const aborted = io();
    assert.equal(await rollout(['users', '--abort'], aborted), 0, aborted.text());
    assert.doesNotMatch(readFileSync(proxy.file, 'utf8'), /rollout:|canary:/);
  });

  it('shows the history newest first, by route, as a table and as JSON', async () => {
    const out = io();
    assert.equal(await history(['users'], out), 0, out.text());
    assert.match(out.text(), /users .*canary new 20% → 30%.*cli:ana/);
    const json = io();
    assert.equal(await history(['--json', '--limit', '1'], json), 0);
    assert.equal((JSON.parse(json.stdout.join('\n')) as { entries: unknown[] }).entries.length, 1);
    const none = captureIo(temp.path, { HISTORY_PATH: temp.file('nothing.db') });
    assert.equal(await history([], none), 0);
    assert.match(none.text(), /No routing history yet: .*nothing\.db does not exist/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no action', ['users'], /say what to do: --to <backend>, --pause, --resume, --abort or --status/],
    ['two actions', ['users', '--pause', '--abort'], /choose one of --pause, --abort/],
    ['steps that are not numbers', ['users', '--to', 'new', '--steps', '1,five,100'], /--steps takes canary percentages separated by commas/],
    ['gates that do not parse', ['users', '--to', 'new', '--gates', 'error-rate=1'], /--gates: error-rate: "1" is not an error rate/],
    ['settings without --to', ['users', '--pause', '--every', '5m'], /--steps, --every, --window, --passes and --gates go with --to/],
  ];
  for (const [what, args, message] of usage) {
    it(`refuses ${what} with exit 2 and the usage`, async () => {
      const out = io();
      assert.equal(await rollout(args, out), 2);
      assert.match(out.text(), message);
      assert.match(out.text(), /strangler rollout <route> --to <backend>/);
    });
  }

  it('names the fix when the proxy is not running', async () => {
    const out = captureIo(temp.path, { PROXY_URL: await closedPortUrl(), PROXY_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(await rollout(['--status'], out), 1);
    assert.match(out.text(), /is not reachable \(nothing is listening\): rollouts run inside the proxy; start it/);
  });
});
