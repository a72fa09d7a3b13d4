import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Router } from 'express';
import { z } from 'zod';
import { bearer, startNewBackend, type RunningNewBackend } from '../../test/kit/index.js';
import type { NewBackendExtensionFactory } from '../src/new-backend-context.js';

const CONTENT_TYPE = { error: 'Unsupported content type: send application/json' };

describe('new backend app: what the frontend contract suite does not cover', () => {
  let nb: RunningNewBackend;
  before(async () => {
    nb = await startNewBackend();
  });
  after(() => nb.close());

  it('accepts forms on the token endpoints, and nowhere else but login', async () => {
    const form = new URLSearchParams({ username: nb.admin.username, password: nb.admin.password });
    assert.equal((await nb.client().request('POST', '/auth/token', { body: form })).status, 200);
    const refresh = await nb.client().request('POST', '/auth/refresh', { body: new URLSearchParams({ refresh_token: 'x' }) });
    assert.equal(refresh.status, 401, 'parsed as a form, then refused as an unknown token');
    const logout = await nb.client().request('POST', '/auth/logout', { body: new URLSearchParams({ a: 'b' }) });
    assert.equal(logout.status, 415);
    assert.deepEqual(logout.body, CONTENT_TYPE);
    const text = await nb.client().request('POST', '/auth/refresh', { body: 'refresh_token=x', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
  });

  it('marks API answers no-store, as the legacy app does, and /health not', async () => {
    assert.equal((await nb.client().get('/auth/me')).headers.get('cache-control'), 'no-store');
    assert.equal((await nb.client().get('/users/1/x')).headers.get('cache-control'), 'no-store');
    assert.equal((await nb.client().get('/health')).headers.get('cache-control'), null);
  });

  it('carries X-Request-Id through, or makes one', async () => {
    assert.equal((await nb.client().get('/health', { headers: { 'x-request-id': 'req-42' } })).headers.get('x-request-id'), 'req-42');
    assert.match((await nb.client().get('/health')).headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match((await nb.client().get('/health', { headers: { 'x-request-id': 'bad id\twith spaces' } })).headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers 404 JSON outside the API too, never an HTML page', async () => {
    const res = await nb.client().get('/index.html');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: 'Not found' });
  });

  it('answers a request body that is cut off mid-way without crashing', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(nb.port, '127.0.0.1', () => {
        socket.write('POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":');
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
    assert.equal((await nb.client().get('/health')).status, 200);
  });

  it('answers gzip-compressed JSON (body-parser inflates), and 415 an unknown encoding', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(JSON.stringify({ username: nb.admin.username, password: nb.admin.password }));
    const ok = await fetch(`${nb.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    assert.equal(ok.status, 200);
    const bad = await fetch(`${nb.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br-custom' }, body: '{}' });
    assert.equal(bad.status, 415);
  });

  it('deleting a user removes their refresh tokens, token state and legacy sessions', async () => {
    const user = await nb.user();
    await nb.client().post('/auth/token', { username: user.username, password: user.password });
    await nb.client().put(`/users/${user.id}`, { password: 'changed-password' }, { headers: bearer(user.token) });
    nb.sqlite.prepare('INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?)').run('sid-of-deleted', JSON.stringify({ cookie: {}, userId: user.id }), Date.now() + 60_000);
    const root = await nb.login(nb.admin.username, nb.admin.password);
    assert.equal((await nb.client().delete(`/users/${user.id}`, { headers: bearer(root) })).status, 204);
    const count = (sql: string) => (nb.sqlite.prepare(sql).pluck().get(user.id) as number);
    assert.equal(count('SELECT count(*) FROM refresh_tokens WHERE user_id = ?'), 0);
    assert.equal(count('SELECT count(*) FROM user_token_state WHERE user_id = ?'), 0);
    assert.equal(count("SELECT count(*) FROM sessions WHERE json_extract(sess, '$.userId') = ?"), 0);
  });

  it('bcrypt runs for an unknown user too: the same answer as a wrong password', async () => {
    const unknown = await nb.client().login('nobody_here', 'some-password');
    const wrong = await nb.client().login(nb.admin.username, 'wrong-password');
    assert.deepEqual([unknown.status, unknown.text], [wrong.status, wrong.text]);
  });
});

describe('new backend app: the /mcp seam', () => {
  let nb: RunningNewBackend;
  let upgraded = 0;
  before(async () => {
    const mcp: NewBackendExtensionFactory = (ctx) => {
      const router = Router();
      router.get('/raw', ctx.requireUser, (_req, res) => {
        res.json({ raw: true });
      });
      return {
        routes: [{
          method: 'get', path: '/mcp/whoami', tag: 'mcp', auth: 'bearer', summary: 'Who is calling',
          responses: { 200: { description: 'The caller.', schema: z.object({ username: z.string() }) } },
          handlers: [ctx.requireUser, (_req, res) => {
            res.json({ username: ctx.currentAuth(res).user.username });
          }],
        }],
        router,
        upgrade: (_req, socket) => {
          upgraded += 1;
          socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
        },
      };
    };
    nb = await startNewBackend({ mcp });
  });
  after(() => nb.close());

  it('mounts the feature\'s routes behind the same bearer authentication', async () => {
    assert.equal((await nb.client().get('/mcp/whoami')).status, 401);
    const token = await nb.login(nb.admin.username, nb.admin.password);
    assert.deepEqual((await nb.client().get('/mcp/whoami', { headers: bearer(token) })).body, { username: 'admin' });
    assert.deepEqual((await nb.client().get('/mcp/raw', { headers: bearer(token) })).body, { raw: true });
    assert.equal((await nb.client().get('/mcp/other', { headers: bearer(token) })).status, 404);
  });

  it('documents the feature\'s routes in /openapi.json', async () => {
    const doc = (await nb.client().get('/openapi.json')).body;
    assert.ok(doc.paths['/mcp/whoami'].get);
  });

  it('hands WebSocket upgrades under /mcp to the feature, and refuses others', async () => {
    const upgrade = (path: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(nb.port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(await upgrade('/mcp/ws'), /^HTTP\/1\.1 101/);
    assert.equal(upgraded, 1);
    assert.match(await upgrade('/users'), /^HTTP\/1\.1 404/);
  });
});
