import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Router } from 'express';
import { ApiClient } from '../../test/kit/client.js';
import { startLegacy, type RunningLegacy } from '../../test/kit/legacy.js';
import { uniqueName } from '../../test/kit/unique.js';
import { expressSessionMaxAge } from '../../test/kit/express-session.js';
import { readSessionId, SESSION_MAX_AGE_MS } from '../../lib/legacy-session/session-cookie.js';

describe('legacy app', () => {
  let legacy: RunningLegacy;
  const seen: { userId: number | undefined }[] = [];

  before(async () => {
    legacy = await startLegacy({
      mcp: (ctx) => {
        const router = Router();
        router.get('/whoami', ctx.requireUser, (_req, res) => {
          seen.push({ userId: ctx.currentUser(res).id });
          res.json({ username: ctx.currentUser(res).username });
        });
        router.post('/echo', ctx.requireUser, ctx.requireAdmin, (req, res) => {
          res.json({ body: req.body as unknown });
        });
        return { router };
      },
    });
  });
  after(() => legacy.close());

  const sessionRow = (sid: string) =>
    legacy.db.prepare<[string], { sess: string; expires_at: number }>('SELECT sess, expires_at FROM sessions WHERE sid = ?').get(sid);

  async function adminClient() {
    const client = new ApiClient(legacy.url);
    assert.equal((await client.login(legacy.admin.username, legacy.admin.password)).status, 200);
    const read = readSessionId(`connect.sid=${await client.cookie('connect.sid')}`, legacy.sessionSecrets);
    assert.ok(read.ok);
    return { client, sid: read.sid };
  }

  it('stores the session exactly as express-session writes it', async () => {
    const { sid } = await adminClient();
    const row = sessionRow(sid);
    assert.ok(row);
    const sess = JSON.parse(row.sess) as { cookie: { expires: string; originalMaxAge: number } };
    const maxAge = expressSessionMaxAge(sess.cookie.originalMaxAge, SESSION_MAX_AGE_MS);
    assert.equal(
      row.sess,
      JSON.stringify({ cookie: { originalMaxAge: maxAge, expires: sess.cookie.expires, httpOnly: true, path: '/', sameSite: 'lax' }, userId: 1 }),
    );
    assert.equal(row.expires_at, Date.parse(sess.cookie.expires));
  });

  it('touches the stored expiry on each authenticated request (no new cookie)', async () => {
    const { client, sid } = await adminClient();
    const early = Date.now() + 60_000;
    legacy.db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?').run(early, sid);
    const res = await client.get('/auth/me');
    assert.equal(res.status, 200);
    assert.deepEqual(res.setCookies, []);
    assert.ok((sessionRow(sid)?.expires_at ?? 0) > early + 60 * 60 * 1000, 'expiry should move about a day ahead');
  });

  it("removes a deleted user's sessions from the store", async () => {
    const admin = await adminClient();
    const username = uniqueName('del');
    const created = await admin.client.post('/users', { username, name: 'To Delete', email: `${username}@example.test`, password: 'password-1' });
    assert.equal(created.status, 201);
    const user = new ApiClient(legacy.url);
    assert.equal((await user.login(username, 'password-1')).status, 200);
    const read = readSessionId(`connect.sid=${await user.cookie('connect.sid')}`, legacy.sessionSecrets);
    assert.ok(read.ok && sessionRow(read.sid));
    assert.equal((await admin.client.delete(`/users/${(created.body as { id: number }).id}`)).status, 204);
    assert.equal(sessionRow(read.sid), undefined);
  });

  it('echoes a valid X-Request-Id and replaces a hostile one', async () => {
    const client = new ApiClient(legacy.url);
    const kept = await client.get('/health', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers.get('x-request-id'), 'abc-123');
    const replaced = await client.get('/health', { headers: { 'x-request-id': 'bad id\twith junk' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('marks API answers no-store and never says what it runs on', async () => {
    const res = await new ApiClient(legacy.url).get('/auth/me');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('serves the page at / with a strict content security policy', async () => {
    const res = await fetch(`${legacy.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    assert.match(html, /<script src="app\.js"/);
    for (const asset of ['/app.js', '/style.css']) assert.equal((await fetch(`${legacy.url}${asset}`)).status, 200, asset);
  });

  it('answers 404 JSON, not an HTML page, for unknown static paths and traversal attempts', async () => {
    for (const path of ['/nope.html', '/..%2f..%2fpackage.json', '/%2e%2e/package.json']) {
      const res = await fetch(`${legacy.url}${path}`);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, path);
    }
  });

  it('mounts the /mcp feature with the session and parsed bodies', async () => {
    const { client } = await adminClient();
    const who = await client.get('/mcp/whoami');
    assert.deepEqual(who.body, { username: legacy.admin.username });
    const echo = await client.post('/mcp/echo', { a: 1 });
    assert.deepEqual(echo.body, { body: { a: 1 } });
    assert.equal((await new ApiClient(legacy.url).get('/mcp/whoami')).status, 401);
    assert.equal((await client.request('POST', '/mcp/echo', { body: '{x', headers: { 'content-type': 'application/json' } })).status, 400);
    assert.deepEqual((await client.get('/mcp/unknown')).body, { error: 'Not found' });
    assert.ok(seen.length > 0);
  });

  it('refuses WebSocket upgrades it has no handler for, and closes the socket', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(legacy.port, '127.0.0.1', () => {
        socket.write('GET /mcp/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 404 Not Found/);
  });
});

describe('legacy app with secure cookies', () => {
  let legacy: RunningLegacy;
  before(async () => (legacy = await startLegacy({ secureCookies: true })));
  after(() => legacy.close());

  it('sets a Secure cookie behind a TLS-terminating proxy (X-Forwarded-Proto: https)', async () => {
    const res = await new ApiClient(legacy.url).request('POST', '/auth/login', {
      json: { username: legacy.admin.username, password: legacy.admin.password },
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.equal(res.status, 200);
    assert.match(res.setCookies[0] ?? '', /; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('clears the cookie with Secure too', async () => {
    const res = await new ApiClient(legacy.url).post('/auth/logout');
    assert.match(res.setCookies[0] ?? '', /; HttpOnly; Secure; SameSite=Lax$/);
  });
});
