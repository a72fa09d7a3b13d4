import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { captureIo } from '../../test/kit/cli-fixture.js';
import { tempDir } from '../../test/kit/index.js';
import { openDiffStore } from '../../proxy/src/shadow/index.js';
import { parseFixture, replayFixture, replayOptions } from '../../proxy/src/shadow/fixture/index.js';
import { startDifferingBackend, type Answer, type DifferingBackend } from '../../test/kit/proxy/differing-backend.js';
import { run } from './diff.js';

const USER = { id: 1, username: 'admin', name: 'Admin', email: 'admin@localhost', role: 'admin' };

/** A backend that logs in like the legacy app (cookie) or the new one (X-Auth-Token) and guards /users. */
function authBackend(kind: 'cookie' | 'bearer', users: () => unknown[]): (req: IncomingMessage, body: string) => Answer {
  return (req, body) => {
    if (req.url === '/auth/login') {
      const { username, password } = JSON.parse(body || '{}') as { username?: string; password?: string };
      if (username !== 'admin' || password !== 'pw-admin') return { status: 401, body: { error: 'Incorrect username or password' } };
      const headers: Record<string, string> = kind === 'cookie' ? { 'set-cookie': 'connect.sid=s%3Asid.mac; Path=/; HttpOnly' } : { 'x-auth-token': 'tok-123' };
      return { body: USER, headers };
    }
    if (req.url === '/auth/logout') return { body: { message: 'Logged out successfully' } };
    const authed = kind === 'cookie' ? req.headers.cookie === 'connect.sid=s%3Asid.mac' : req.headers.authorization === 'Bearer tok-123';
    if (!authed) return { status: 401, body: { error: 'Not authenticated' } };
    return { body: users() };
  };
}

describe('strangler diff', () => {
  const dir = tempDir('diff-cli-');
  let legacy: DifferingBackend;
  let next: DifferingBackend;
  let newUsers: unknown[] = [USER];
  let env: NodeJS.ProcessEnv;
  before(async () => {
    legacy = await startDifferingBackend(authBackend('cookie', () => [USER]));
    next = await startDifferingBackend(authBackend('bearer', () => newUsers));
    env = { LEGACY_URL: legacy.url, NEW_BACKEND_URL: next.url, STRANGLER_PASSWORD: 'pw-admin' };
  });
  after(async () => {
    await legacy.close();
    await next.close();
    dir.cleanup();
  });

  it('logs in on both the way each expects, finds them equal, logs out, exits 0', async () => {
    newUsers = [USER];
    const io = captureIo(dir.path, env);
    assert.equal(await run(['GET', '/users', '--as', 'admin'], io), 0, io.text());
    assert.match(io.text(), /✔ same answer/);
    assert.deepEqual(legacy.hits.map((h) => h.url), ['/auth/login', '/users', '/auth/logout']);
    assert.deepEqual(next.hits.map((h) => h.url), ['/auth/login', '/users', '/auth/logout']);
  });

  it('prints each difference with both values and exits 1', async () => {
    newUsers = [{ ...USER, id: '1', email: 'ADMIN@localhost' }];
    const io = captureIo(dir.path, env);
    assert.equal(await run(['get', '/users', '--as', 'admin'], io), 1);
    const text = io.text();
    assert.match(text, /✖ 2 differences/);
    assert.match(text, /\$\[0\]\.id {2}type differs\n {4}- legacy: 1\n {4}\+ new: "1"/);
    assert.match(text, /\$\[0\]\.email {2}changed\n {4}- legacy: "admin@localhost"\n {4}\+ new: "ADMIN@localhost"/);
  });

  it('applies --ignore and the route options in routes.yaml', async () => {
    newUsers = [{ ...USER, email: 'ADMIN@localhost' }];
    const io = captureIo(dir.path, env);
    assert.equal(await run(['GET', '/users', '--as', 'admin', '--ignore', 'email'], io), 0, io.text());
    writeFileSync(dir.file('routes.yaml'), `version: 1
backends:
  legacy: { url: ${legacy.url}, auth: session }
  new: { url: ${next.url}, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
    shadow: { to: new, ignore: ["$[*].email"] }
`);
    const viaFile = captureIo(dir.path, { STRANGLER_PASSWORD: 'pw-admin' });
    assert.equal(await run(['GET', '/users', '--as', 'admin'], viaFile), 0, viaFile.text());
    assert.match(viaFile.text(), /options of route users in routes\.yaml: ignore \$\[\*\]\.email/);
    const plain = captureIo(dir.path, { STRANGLER_PASSWORD: 'pw-admin' });
    assert.equal(await run(['GET', '/users', '--as', 'admin', '--no-route-options'], plain), 1);
  });

  it('answers JSON with --json', async () => {
    newUsers = [{ ...USER, role: 'user' }];
    const io = captureIo(dir.path, env);
    assert.equal(await run(['GET', '/users', '--as', 'admin', '--json', '--no-route-options'], io), 1);
    const out = JSON.parse(io.stdout.join('\n')) as { match: boolean; differences: unknown[]; primary: { backend: string; status: number } };
    assert.equal(out.match, false);
    assert.deepEqual(out.differences, [{ path: '$[0].role', kind: 'changed', primary: 'admin', shadow: 'user' }]);
    assert.deepEqual([out.primary.backend, out.primary.status], ['legacy', 200]);
  });

  it('uses a given cookie, and warns that a JWT backend needs a token', async () => {
    newUsers = [USER];
    const io = captureIo(dir.path, { LEGACY_URL: legacy.url, NEW_BACKEND_URL: next.url });
    assert.equal(await run(['GET', '/users', '--cookie', 's%3Asid.mac', '--no-route-options'], io), 1);
    assert.match(io.text(), /new uses JWTs: it ignores the cookie.*--token/);
    assert.match(io.text(), /status {2}changed\n {4}- legacy: 200\n {4}\+ new: 401/);
    const both = captureIo(dir.path, { LEGACY_URL: legacy.url, NEW_BACKEND_URL: next.url });
    assert.equal(await run(['GET', '/users', '--cookie', 's%3Asid.mac', '--token', 'tok-123', '--no-route-options'], both), 0, both.text());
  });

  it('exits 2 naming the URL and the variable when a backend is down', async () => {
    const io = captureIo(dir.path, { ...env, NEW_BACKEND_URL: 'http://127.0.0.1:9' });
    assert.equal(await run(['GET', '/users', '--as', 'admin', '--no-route-options'], io), 2);
    assert.match(io.stderr.join('\n'), /cannot reach new at http:\/\/127\.0\.0\.1:9 \(from NEW_BACKEND_URL\).*set NEW_BACKEND_URL to where it runs/);
  });

  it('exits 2 on a failed login, a bad argument, or an unsafe method without --unsafe', async () => {
    const cases: [string[], RegExp][] = [
      [['GET', '/users', '--as', 'admin', '--password', 'wrong'], /login as admin on legacy .* answered 401 "Incorrect username or password"/],
      [['GET'], /give a METHOD and a PATH/],
      [['GET', 'users'], /must start with "\/"/],
      [['POST', '/users', '--data', '{}'], /would run on both backends.*--unsafe/],
      [['POST', '/users', '--unsafe', '--data', '{nope'], /--data is not JSON/],
      [['GET', '/users', '--ignore', '$'], /whole body/],
      [['GET', '/users', '--primary', 'nope'], /unknown backend "nope"/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo(dir.path, env);
      assert.equal(await run(args, io), 2, args.join(' '));
      assert.match(io.stderr.join('\n'), message);
    }
  });

  describe('export and refresh', () => {
    it('writes recorded mismatches as fixtures that replay, then refreshes one to match after a fix', async () => {
      const store = openDiffStore(dir.file('diffs.db'));
      const answerOf = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body), encoding: 'utf8' as const });
      store.record({
        at: Date.now(), route: 'users', method: 'GET', path: '/users', requestId: 'rq-1', primaryBackend: 'legacy', shadowBackend: 'new',
        primaryStatus: 200, shadowStatus: 200, match: false, omitted: 0, primaryMs: 1, shadowMs: 1, error: undefined,
        differences: [{ path: '$[0].role', kind: 'changed', primary: 'admin', shadow: 'user' }],
        exchange: { request: { method: 'GET', path: '/users' }, primary: answerOf([USER]), shadow: answerOf([{ ...USER, role: 'user' }]) },
      });
      store.close();
      const out = dir.file('fixtures');
      const io = captureIo(dir.path, env);
      assert.equal(await run(['export', '--route', 'users', '--file', dir.file('diffs.db'), '--out', out], io), 0, io.text());
      const files = readdirSync(out);
      assert.equal(files.length, 1);
      assert.match(files[0] ?? '', /^users-GET-users-\d+\.json$/);
      const file = `${out}/${files[0]}`;
      const parsed = parseFixture(readFileSync(file, 'utf8'));
      assert.ok(parsed.ok);
      assert.equal(parsed.fixture.expect, 'differ');
      assert.equal(replayFixture(parsed.fixture, replayOptions(parsed.fixture, undefined)).ok, true);

      const again = captureIo(dir.path, env);
      await run(['export', '--route', 'users', '--file', dir.file('diffs.db'), '--out', out], again);
      assert.match(again.text(), /kept .* \(exists\)/);

      newUsers = [USER];
      const refresh = captureIo(dir.path, env);
      assert.equal(await run(['refresh', file, '--as', 'admin', '--routes', dir.file('none.yaml')], refresh), 0, refresh.text());
      const fixed = parseFixture(readFileSync(file, 'utf8'));
      assert.ok(fixed.ok);
      assert.equal(fixed.fixture.expect, 'match');
      assert.deepEqual(fixed.fixture.differences, []);
      assert.equal(replayFixture(fixed.fixture, replayOptions(fixed.fixture, undefined)).ok, true);
    });

    it('redacts secrets in both answers, the request and the differences: tokens, password hashes, emails (kept with --keep-emails)', async () => {
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
      const hash = '$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
      const primary = { id: 1, email: 'ann@example.test', token: 'opaque-primary-secret', refresh_token: 'r-1', note: `hash ${hash}` };
      const shadow = { id: 1, email: 'Ann@example.test', token: 'opaque-shadow-secret', refresh_token: 'r-1', note: `hash ${hash}`, access: jwt };
      const file = dir.file('secret-diffs.db');
      const store = openDiffStore(file);
      const answerOf = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), encoding: 'utf8' as const });
      store.record({
        at: Date.now(), route: 'auth', method: 'POST', path: '/auth/token?api_key=k-123', requestId: 'rq-2', primaryBackend: 'legacy', shadowBackend: 'new',
        primaryStatus: 200, shadowStatus: 200, match: false, omitted: 0, primaryMs: 1, shadowMs: 1, error: undefined,
        differences: [
          { path: '$.email', kind: 'changed', primary: primary.email, shadow: shadow.email },
          { path: '$.token', kind: 'changed', primary: primary.token, shadow: shadow.token },
          { path: '$.access', kind: 'added', shadow: jwt },
        ],
        exchange: {
          request: { method: 'POST', path: '/auth/token?api_key=k-123', contentType: 'application/json', body: JSON.stringify({ username: 'ann', password: '[redacted]', email: 'ann@example.test' }) },
          primary: answerOf(primary), shadow: answerOf(shadow),
        },
      });
      store.close();
      const secrets = ['opaque-primary-secret', 'opaque-shadow-secret', jwt, hash, 'r-1', 'k-123'];
      for (const [args, emails] of [[[], false], [['--keep-emails'], true]] as const) {
        const out = dir.file(`secret-fixtures-${emails}`);
        const io = captureIo(dir.path, env);
        assert.equal(await run(['export', '--route', 'auth', '--file', file, '--out', out, ...args], io), 0, io.text());
        const [name] = readdirSync(out);
        const text = readFileSync(`${out}/${name}`, 'utf8');
        for (const secret of secrets) assert.ok(!text.includes(JSON.stringify(secret).slice(1, -1)), `${secret} left in the fixture:\n${text}`);
        assert.equal(text.includes('ann@example.test') && text.includes('Ann@example.test'), emails, `emails ${emails ? 'kept' : 'redacted'}:\n${text}`);
        const parsed = parseFixture(text);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
        const replayed = replayFixture(parsed.fixture, replayOptions(parsed.fixture, undefined));
        assert.equal(replayed.ok, true, replayed.ok ? '' : `the redacted fixture still shows its differences: ${replayed.problem}`);
      }
    });

    it('says so when a route has no recorded mismatches, and needs --route', async () => {
      const io = captureIo(dir.path, env);
      assert.equal(await run(['export', '--route', 'mcp', '--file', dir.file('diffs.db'), '--out', dir.file('x')], io), 0);
      assert.match(io.text(), /No recorded mismatches .* route "mcp"/);
      assert.equal(await run(['export'], captureIo(dir.path, env)), 2);
      assert.equal(await run(['export', '--route', 'users', '--file', dir.file('nope.db')], captureIo(dir.path, env)), 2);
    });
  });
});
