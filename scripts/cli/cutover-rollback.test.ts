import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { COMMENTED } from '../../test/kit/proxy/routes-yaml-examples.js';
import { run as cutover, plan } from './cutover.js';
import { run as rollback } from './rollback.js';
import { captureIo, cliFixture, startAdminStandIn } from '../../test/kit/cli-fixture.js';

const fx = cliFixture('strangler-cutover-');
const { dir, fresh, table } = fx;
before(() => fx.setUp());
after(() => fx.tearDown());

const TOKEN = 'test-admin-token';

describe('strangler cutover and rollback (no proxy running)', () => {
  it('canaries, moves, and rolls back, keeping the file byte for byte', async () => {
    const file = fresh();
    const io = () => captureIo(dir.path, { PROXY_URL: fx.down });
    const a = io();
    assert.equal(await cutover(['users', 'new', '--percent', '25', '--file', file], a), 0);
    assert.match(a.text(), /✔ users: canary 25% -> new/);
    assert.match(a.text(), /is not running \(nothing is listening\); it will use this file when it starts/);
    assert.deepEqual(table(file).routes[1]?.canary, { to: 'new', percent: 25 });

    const b = io();
    assert.equal(await cutover(['users', 'new', '--percent', '100', '--file', file], b), 0);
    assert.match(b.text(), /✔ users: legacy -> new\n✔ users: canary new 25% removed/);
    assert.equal(table(file).routes[1]?.target, 'new');

    const c = io();
    assert.equal(await rollback(['users', '--file', file], c), 0);
    assert.match(c.text(), /✔ users: new -> legacy/);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED);

    const d = io();
    assert.equal(await rollback(['users', '--file', file], d), 0);
    assert.match(d.text(), /Nothing to change: users is already on legacy with no canary\./);
  });

  it('moves every route with --all in one write and rolls them all back', async () => {
    const file = fresh();
    const a = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await cutover(['--all', 'new', '--file', file], a), 0);
    assert.deepEqual(table(file).routes.map((r) => r.target), ['new', 'new', 'new']);
    const b = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await rollback(['--all', '--file', file], b), 0);
    assert.match(b.text(), /auth: new -> legacy\n.*users: new -> legacy\n.*mcp: new -> legacy/);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED);
  });

  it('finds the file through ROUTES_FILE', async () => {
    const file = fresh();
    const io = captureIo(dir.path, { PROXY_URL: fx.down, ROUTES_FILE: file });
    assert.equal(await cutover(['auth', 'new'], io), 0);
    assert.equal(table(file).routes[0]?.target, 'new');
  });

  const refusals: [string, string[], number, RegExp][] = [
    ['an unknown route', ['usres', 'new'], 1, /unknown route "usres" \(known: auth, users, mcp\)/],
    ['an unknown backend', ['users', 'nwe'], 1, /unknown backend "nwe" \(known: legacy, new\)/],
    ['a bad percent', ['users', 'new', '--percent', 'lots'], 2, /--percent must be a number from 0 to 100, got "lots"/],
    ['a percent over 100', ['users', 'new', '--percent', '120'], 2, /--percent must be a number from 0 to 100/],
    ['a canary to the target', ['users', 'legacy', '--percent', '10'], 1, /users already sends everyone to legacy; a canary sends a share elsewhere/],
    ['missing arguments', ['users'], 2, /name a route \(or --all\) and a backend/],
    ['an unknown option', ['users', 'new', '--force'], 2, /Unknown option '--force'/],
  ];
  for (const [name, args, code, message] of refusals) {
    it(`refuses ${name} and leaves the file alone`, async () => {
      const file = fresh();
      const io = captureIo(dir.path, { PROXY_URL: fx.down });
      assert.equal(await cutover([...args, '--file', file], io), code);
      assert.match(io.text(), message);
      assert.equal(readFileSync(file, 'utf8'), COMMENTED);
    });
  }

  it('refuses to edit an invalid file, showing its errors', async () => {
    const file = fresh(COMMENTED.replace('target: "legacy"', 'target: nwe'));
    const io = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await rollback(['--all', '--file', file], io), 1);
    assert.match(io.text(), /routes-\d+\.yaml:25: routes\[2\]\.target: unknown backend "nwe"/);
  });

  it('leaves no temp file behind', () => {
    // data/ holds the routing history the commands record their changes in (HISTORY_PATH's default).
    assert.deepEqual(readdirSync(dir.path).filter((f) => !/^routes-\d+\.yaml$/.test(f) && f !== 'data'), []);
    assert.deepEqual(readdirSync(`${dir.path}/data`).filter((f) => !/^history\.db(-wal|-shm)?$/.test(f)), []);
  });
});

describe('cutover planning', () => {
  const t = table(fresh());
  it('--percent 0 removes only a canary to that backend', () => {
    assert.deepEqual(plan(t, 'users', 'new', 0), { ok: true, edits: [], notes: [] });
  });
  it('--all with a percent leaves routes already on the backend alone', () => {
    const r = plan(table(fresh(COMMENTED.replace('target: legacy      # still old', 'target: new'))), undefined, 'new', 10);
    assert.ok(r.ok);
    assert.deepEqual(r.edits.map((e) => e.route), ['users', 'mcp']);
    assert.deepEqual(r.notes, ['auth: already on new, left alone']);
  });
});

describe('strangler cutover with the proxy running', () => {
  it('confirms the proxy is routing with the change', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    try {
      const io = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await cutover(['users', 'new', '--file', file], io), 0);
      assert.match(io.text(), new RegExp(`✔ the proxy at ${proxy.url} is routing with it`));
    } finally {
      await proxy.close();
    }
  });

  it('says so when the proxy has not picked the change up', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    proxy.freeze();
    try {
      const io = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await cutover(['users', 'new', '--file', file], io), 0);
      assert.match(io.text(), /has not picked the change up within 2 s \(pending: users: legacy -> new\)/);
    } finally {
      await proxy.close();
    }
  });

  it('fails when the proxy refused the new file', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    try {
      const io = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      proxy.rejectNextChange(['routes.yaml:4: backends.new.url: environment variable X is not set']);
      assert.equal(await cutover(['users', 'new', '--file', file], io), 1);
      assert.match(io.text(), /refused the new file and keeps its previous routing:\n {2}routes\.yaml:4/);
    } finally {
      await proxy.close();
    }
  });

  it('explains a refused admin token', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    try {
      const io = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: 'wrong' });
      assert.equal(await cutover(['users', 'new', '--file', file], io), 0);
      assert.match(io.text(), /refused the admin token: set PROXY_ADMIN_TOKEN to the value the proxy was started with/);
    } finally {
      await proxy.close();
    }
  });
});
