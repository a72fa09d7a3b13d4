import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { tempDir } from '../../test/kit/index.js';
import { COMMENTED } from '../../proxy/src/config/test-fixtures.js';
import { loadRouteTable } from '../../proxy/src/config/index.js';
import { run as cutover, plan } from './cutover.js';
import { run as rollback } from './rollback.js';
import { run as validate } from './validate.js';
import { run as explainCommand, explain } from './explain.js';
import { run as status } from './status.js';
import { main } from './dispatch.js';
import { captureIo, closedPortUrl, startAdminStandIn, writeRoutes } from './test-support.js';

const TOKEN = 'test-admin-token';
const dir = tempDir('strangler-cli-');
let down: string;
let n = 0;
const fresh = (text = COMMENTED) => writeRoutes(dir.file(`routes-${n++}.yaml`), text);

before(async () => { down = await closedPortUrl(); });
after(() => dir.cleanup());

function table(file: string) {
  const r = loadRouteTable(file, {});
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.table;
}

describe('strangler cutover and rollback (no proxy running)', () => {
  it('canaries, moves, and rolls back, keeping the file byte for byte', async () => {
    const file = fresh();
    const io = () => captureIo(dir.path, { PROXY_URL: down });
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
    const a = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await cutover(['--all', 'new', '--file', file], a), 0);
    assert.deepEqual(table(file).routes.map((r) => r.target), ['new', 'new', 'new']);
    const b = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await rollback(['--all', '--file', file], b), 0);
    assert.match(b.text(), /auth: new -> legacy\n.*users: new -> legacy\n.*mcp: new -> legacy/);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED);
  });

  it('finds the file through ROUTES_FILE', async () => {
    const file = fresh();
    const io = captureIo(dir.path, { PROXY_URL: down, ROUTES_FILE: file });
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
      const io = captureIo(dir.path, { PROXY_URL: down });
      assert.equal(await cutover([...args, '--file', file], io), code);
      assert.match(io.text(), message);
      assert.equal(readFileSync(file, 'utf8'), COMMENTED);
    });
  }

  it('refuses to edit an invalid file, showing its errors', async () => {
    const file = fresh(COMMENTED.replace('target: "legacy"', 'target: nwe'));
    const io = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await rollback(['--all', '--file', file], io), 1);
    assert.match(io.text(), /routes-\d+\.yaml:25: routes\[2\]\.target: unknown backend "nwe"/);
  });

  it('leaves no temp file behind', () => {
    assert.deepEqual(readdirSync(dir.path).filter((f) => !/^routes-\d+\.yaml$/.test(f)), []);
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

describe('strangler status', () => {
  it('prints the table and says the proxy is not running', async () => {
    const file = fresh(COMMENTED.replace('    # canary: { to: new, percent: 25 }', '    canary: { to: new, percent: 25 }\n    shadow: { to: new }'));
    const io = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await status(['--file', file], io), 0);
    const text = io.text();
    assert.match(text, /│ route +│ paths +│ methods +│ target +│ canary +│ shadow +│/);
    assert.match(text, /│ users +│ \/users, \/users\/\*\* +│ any +│ legacy +│ 25% -> new +│ new \(GET, HEAD\) +│/);
    assert.match(text, /│ \(other\) +│ anything else/);
    assert.match(text, /Proxy http:\/\/127\.0\.0\.1:\d+: not running \(nothing is listening\)/);
  });

  it('shows what the running proxy loaded, and a difference from the file', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    try {
      const same = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await status(['--file', file], same), 0);
      assert.match(same.text(), new RegExp(`Proxy ${proxy.url}: routing with .*routes-\\d+\\.yaml, loaded \\d{4}-\\d\\d-\\d\\dT.* \\(\\d+ s ago\\)`));
      assert.match(same.text(), /✔ same routing as the file/);

      proxy.freeze();
      writeRoutes(file, COMMENTED.replace('target: legacy      # still old', 'target: new'));
      const differs = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await status(['--file', file], differs), 0);
      assert.match(differs.text(), /differs from the file.*\n {4}auth: legacy -> new/);
    } finally {
      await proxy.close();
    }
  });

  it('reads the token from data/dev-secrets.env like the proxy does', async () => {
    const work = tempDir('strangler-cli-cwd-');
    try {
      const file = writeRoutes(work.file('routes.yaml'), COMMENTED);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(work.file('data'));
      writeFileSync(work.file('data/dev-secrets.env'), `# dev\nSESSION_SECRET=x\nPROXY_ADMIN_TOKEN=${TOKEN}\n`);
      const proxy = await startAdminStandIn(file, TOKEN);
      try {
        const io = captureIo(work.path, { PROXY_URL: proxy.url });
        assert.equal(await status([], io), 0);
        assert.match(io.text(), /same routing as the file/);
      } finally {
        await proxy.close();
      }
    } finally {
      work.cleanup();
    }
  });

  it('prints JSON with --json', async () => {
    const file = fresh();
    const io = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await status(['--json', '--file', file], io), 0);
    const json = JSON.parse(io.stdout.join('\n')) as { file: { routes: { name: string }[] }; proxy: { state: string } };
    assert.deepEqual(json.file.routes.map((r) => r.name), ['auth', 'users', 'mcp']);
    assert.equal(json.proxy.state, 'down');
  });

  it('exits 1 on an invalid file, listing its errors', async () => {
    const file = fresh('version: 1\n');
    const io = captureIo(dir.path, { PROXY_URL: down });
    assert.equal(await status(['--file', file], io), 1);
    assert.match(io.text(), /is invalid \(the proxy keeps its last good table until it is fixed\):\n {2}.*:1: backends: required/);
  });
});

describe('strangler validate', () => {
  it('exits 0 on a valid file with a summary', async () => {
    const io = captureIo(dir.path);
    assert.equal(await validate([fresh()], io), 0);
    assert.match(io.text(), /✔ routes-\d+\.yaml is valid: 3 routes \(auth, users, mcp\), backends legacy, new, default legacy/);
  });

  it('exits 1 with every error', async () => {
    const io = captureIo(dir.path);
    assert.equal(await validate([fresh(COMMENTED.replace('target: legacy      #', 'taget: legacy      #').replace('target: "legacy"', 'target: nwe'))], io), 1);
    assert.match(io.text(), /✖ routes-\d+\.yaml: 3 problems; the proxy would refuse this file:/);
    assert.match(io.text(), /:12: routes\[0\]\.target: required/);
    assert.match(io.text(), /:14: routes\[0\]\.taget: unknown key \(did you mean "target"\?\)/);
    assert.match(io.text(), /:25: routes\[2\]\.target: unknown backend "nwe"/);
  });

  it('prints warnings, and fails on them with --strict', async () => {
    const text = COMMENTED.replace('paths: [/users, /users/**]', 'paths: [/users, /auth/x]');
    const io = captureIo(dir.path);
    const file = fresh(text);
    assert.equal(await validate([file], io), 0);
    assert.match(io.text(), /warning: .*routes\[1\]\.paths\[1\]: "\/auth\/x" can never match here: auth \(routes\[0\]\) takes it first/);
    assert.equal(await validate([file, '--strict'], captureIo(dir.path)), 1);
  });

  it('names a missing file and how to fix it', async () => {
    const io = captureIo(dir.path);
    assert.equal(await validate(['nope.yaml'], io), 1);
    assert.match(io.text(), /nope\.yaml: no such file: create it/);
  });
});

describe('strangler explain', () => {
  const t = table(fresh(COMMENTED.replace('    # canary: { to: new, percent: 25 }', '    canary: { to: new, percent: 75 }\n    shadow: { to: new }')));
  const cases: [string, string, string, Parameters<typeof explain>[3], RegExp[]][] = [
    ['a canary user', 'GET', '/users/7', { userId: '7' }, [/route +users \(routes\[1\]: \/users, \/users\/\*\*\)/, /pattern +\/users\/\*\*/, /backend +new http:\/\/127\.0\.0\.1:5602/, /canary +user:7 is in bucket 68\.17 of 100; buckets below 75 go to new/, /shadow +100% of GET, HEAD requests are copied to new .*also answered it/]],
    ['no identity', 'GET', '/users', {}, [/backend +legacy/, /canary +75% to new: give --user ID/, /why +route users: no user, session or client address/]],
    ['the default', 'GET', '/health', {}, [/route +none matches GET \/health/, /backend +legacy/, /why +no route matches: the default backend legacy/]],
    ['a hostile path', 'GET', '/users/%2e%2e/admin', {}, [/answer +400 \{"error":"Bad Request"\} from the proxy itself: "\.\." segment in path/]],
    ['a normalised path', 'GET', '//auth/./me', {}, [/path +\/auth\/me \(normalised\)/, /route +auth/]],
    ['the proxy\'s own', 'GET', '/__proxy/routes', {}, [/answer +the proxy itself/]],
    ['an unshadowed method', 'POST', '/users', { sessionId: 'abc' }, [/shadow +not mirrored: the shadow covers GET, HEAD only/]],
  ];
  for (const [name, method, path, who, patterns] of cases) {
    it(`explains ${name}`, () => {
      const text = explain(t, method, path, who).join('\n');
      for (const p of patterns) assert.match(text, p);
    });
  }

  it('runs as a command and refuses a bad method', async () => {
    const file = fresh();
    const ok = captureIo(dir.path);
    assert.equal(await explainCommand(['get', '/auth/login', '--file', file], ok), 0);
    assert.match(ok.text(), /request +GET \/auth\/login/);
    const bad = captureIo(dir.path);
    assert.equal(await explainCommand(['FETCH', '/x', '--file', file], bad), 2);
    assert.match(bad.text(), /"FETCH" is not an HTTP method/);
  });
});

describe('strangler dispatcher', () => {
  it('lists every command in --help', async () => {
    const io = captureIo(dir.path);
    assert.equal(await main(['--help'], io), 0);
    for (const c of ['status', 'cutover', 'rollback', 'explain', 'validate', 'diff-report', 'diff', 'db']) assert.match(io.text(), new RegExp(`^ {2}${c} `, 'm'));
  });

  it('suggests the command meant', async () => {
    const io = captureIo(dir.path);
    assert.equal(await main(['statsu'], io), 2);
    assert.match(io.text(), /unknown command "statsu" \(did you mean "status"\?\)/);
  });

  it('passes --help to a command', async () => {
    const io = captureIo(dir.path);
    assert.equal(await main(['help', 'cutover'], io), 0);
    assert.match(io.text(), /^strangler cutover <route\|--all> <backend> \[--percent N\]/);
  });
});
