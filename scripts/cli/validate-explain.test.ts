import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMENTED } from '../../test/kit/proxy/routes-yaml-examples.js';
import { run as validate } from './validate.js';
import { run as explainCommand, explain } from './explain.js';
import { main } from './dispatch.js';
import { captureIo, cliFixture } from '../../test/kit/cli-fixture.js';

const fx = cliFixture('strangler-validate-');
const { dir, fresh, table } = fx;
before(() => fx.setUp());
after(() => fx.tearDown());

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
