import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ACTING_USER_HEADER, TERMINAL_TOOL } from '../../../../lib/mcp-client.js';
import { AUDIENCE, ISSUER } from '../../../../lib/tokens.js';
import type { CommandReport } from '../command-report.js';
import { MCP_TOKEN, USERS } from '../../../../test/kit/mcp-server/fixture.js';
import { INITIALIZE, INSPECTOR_ORIGIN, JSON_HEADERS, rawRequest, startHttpFixture, type HttpFixture } from '../../../../test/kit/mcp-server/http-fixture.js';
import { waitFor } from '../../../../test/kit/index.js';

const SERVICE = { authorization: `Bearer ${MCP_TOKEN}` };
const asUser = (id: number) => ({ ...SERVICE, [ACTING_USER_HEADER]: String(id) });

function parse(body: string): { jsonrpc: string; id: unknown; error?: { code: number; message: string }; result?: unknown } {
  return JSON.parse(body) as never;
}

async function openSession(h: HttpFixture, headers: Record<string, string>): Promise<string> {
  const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...headers }, body: INITIALIZE });
  assert.equal(res.status, 200, res.body);
  return res.headers['mcp-session-id'] as string;
}

describe('MCP over Streamable HTTP: transport and auth (M2-M10)', () => {
  let h: HttpFixture;
  before(async () => {
    h = await startHttpFixture();
    // As the new backend's migration 0002 creates them.
    h.fx.db.exec(`CREATE TABLE IF NOT EXISTS revoked_tokens (iss TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (iss, jti));
      CREATE TABLE IF NOT EXISTS user_token_state (user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE, tokens_valid_after INTEGER NOT NULL);`);
  });
  after(() => h.close());

  it('lists and calls terminal_command with the service token and an acting user (real SDK client)', async () => {
    const { client } = await h.connect(asUser(USERS.alice));
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [TERMINAL_TOOL]);
    const result = (await client.callTool({ name: TERMINAL_TOOL, arguments: { command: 'echo over http' } })) as CallToolResult;
    assert.equal(result.isError, undefined);
    assert.equal((result.structuredContent as CommandReport).stdout, 'over http\n');
    const row = h.fx.audit.recent(1)[0];
    assert.equal(row?.identity, `service:${USERS.alice}`);
    assert.equal(row?.transport, 'http');
    assert.match(String(row?.session_id), /^[0-9a-f-]{36}$/);
  });

  it('accepts an access token minted for the MCP audience', async () => {
    const { token } = await h.tokens.mint({ sub: USERS.bob, role: 'user', audience: AUDIENCE.mcp });
    const { client } = await h.connect({ authorization: `Bearer ${token}` });
    const result = (await client.callTool({ name: TERMINAL_TOOL, arguments: { command: 'pwd' } })) as CallToolResult;
    assert.equal((result.structuredContent as CommandReport).outcome, 'ran');
    assert.equal(h.fx.audit.recent(1)[0]?.identity, `user:${USERS.bob}`);
  });

  const unauthorized: [string, () => Promise<Record<string, string>>][] = [
    ['no token', async () => ({})],
    ['a wrong token', async () => ({ authorization: 'Bearer not-the-token' })],
    ['a Basic credential', async () => ({ authorization: `Basic ${Buffer.from(`x:${MCP_TOKEN}`).toString('base64')}` })],
    ['a token minted for the new backend (M6)', async () => ({ authorization: `Bearer ${(await h.tokens.mint({ sub: USERS.alice, role: 'user', audience: AUDIENCE.newBackend })).token}` })],
    ['a session cookie only', async () => ({ cookie: 'connect.sid=s%3Aabc.def' })],
  ];
  for (const [name, headers] of unauthorized) {
    it(`answers 401 to ${name}`, async () => {
      const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...(await headers()) }, body: INITIALIZE });
      assert.equal(res.status, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      const body = parse(res.body);
      assert.equal(body.jsonrpc, '2.0');
      assert.equal(body.id, null);
    });
  }

  it('answers 401 to a revoked access token', async () => {
    const { token, claims } = await h.tokens.mint({ sub: USERS.alice, role: 'user', audience: AUDIENCE.mcp });
    h.fx.db.prepare('INSERT INTO revoked_tokens (iss, jti, expires_at) VALUES (?, ?, ?)').run(ISSUER, claims.jti, claims.exp);
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` }, body: INITIALIZE });
    assert.equal(res.status, 401);
    assert.match(res.body, /revoked/);
  });

  it('answers 401 to an access token issued before the user logged out everywhere (tokens-valid-after)', async () => {
    const { token, claims } = await h.tokens.mint({ sub: USERS.formerAdmin, role: 'user', audience: AUDIENCE.mcp });
    const headers = { ...JSON_HEADERS, authorization: `Bearer ${token}` };
    assert.equal((await rawRequest(h.url, { headers, body: INITIALIZE })).status, 200);
    h.fx.db.prepare('INSERT INTO user_token_state (user_id, tokens_valid_after) VALUES (?, ?)').run(USERS.formerAdmin, claims.iat + 1);
    assert.equal((await rawRequest(h.url, { headers, body: INITIALIZE })).status, 401);
  });

  it('refuses a token in the query string, even next to a valid header (M5)', async () => {
    const res = await rawRequest(`${h.url}?access_token=${MCP_TOKEN}`, { headers: { ...JSON_HEADERS, ...SERVICE }, body: INITIALIZE });
    assert.equal(res.status, 401);
    assert.match(res.body, /Tokens in the URL are refused/);
  });

  it('refuses an acting user that does not exist, and a malformed one', async () => {
    assert.equal((await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...asUser(999) }, body: INITIALIZE })).status, 403);
    assert.equal((await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, [ACTING_USER_HEADER]: '1 OR 1=1' }, body: INITIALIZE })).status, 401);
  });

  it('lets only the service token assert an acting user', async () => {
    const { token } = await h.tokens.mint({ sub: USERS.bob, role: 'user', audience: AUDIENCE.mcp });
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, authorization: `Bearer ${token}`, [ACTING_USER_HEADER]: String(USERS.admin) }, body: INITIALIZE });
    assert.equal(res.status, 403);
  });

  it('answers 403 to a foreign Host (DNS rebinding, M2)', async () => {
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, host: 'evil.example' }, body: INITIALIZE });
    assert.equal(res.status, 403);
    assert.equal(parse(res.body).id, null);
  });

  it('answers 403 with a JSON-RPC error and no id to a foreign Origin (M3)', async () => {
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, origin: 'https://evil.example' }, body: INITIALIZE });
    assert.equal(res.status, 403);
    const body = parse(res.body);
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.id, null);
    assert.match(body.error?.message ?? '', /Origin https:\/\/evil\.example is not allowed/);
    const ok = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, origin: INSPECTOR_ORIGIN }, body: INITIALIZE });
    assert.equal(ok.status, 200);
  });

  it('refuses a loopback Origin unless told the server is bound to loopback (M3)', async () => {
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, origin: 'http://localhost:3000' }, body: INITIALIZE });
    assert.equal(res.status, 403);
  });

  it('checks Host, Origin and the token before reading a body, then caps the body at 256 kB (M4)', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(400 * 1024) } });
    assert.equal((await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, origin: 'https://evil.example' }, body: huge })).status, 403);
    assert.equal((await rawRequest(h.url, { headers: { ...JSON_HEADERS }, body: huge })).status, 401);
    const tooBig = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE }, body: huge });
    assert.equal(tooBig.status, 413);
    assert.equal(parse(tooBig.body).id, null);
    const bad = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE }, body: '{"jsonrpc":' });
    assert.equal(bad.status, 400);
    assert.equal(parse(bad.body).error?.code, -32700);
  });

  it("answers 404 to another identity's session id (M8)", async () => {
    const aliceSession = await openSession(h, asUser(USERS.alice));
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const own = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...asUser(USERS.alice), 'mcp-session-id': aliceSession }, body: ping });
    assert.equal(own.status, 200, own.body);
    for (const other of [asUser(USERS.bob), SERVICE, { authorization: `Bearer ${(await h.tokens.mint({ sub: USERS.alice, role: 'user', audience: AUDIENCE.mcp })).token}` }]) {
      const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...other, 'mcp-session-id': aliceSession }, body: ping });
      assert.equal(res.status, 404);
      const get = await rawRequest(h.url, { method: 'GET', headers: { ...other, accept: 'text/event-stream', 'mcp-session-id': aliceSession } });
      assert.equal(get.status, 404);
      const del = await rawRequest(h.url, { method: 'DELETE', headers: { ...other, 'mcp-session-id': aliceSession } });
      assert.equal(del.status, 404);
    }
  });

  it('gives every session its own server: ids differ, and each belongs to its opener', async () => {
    const a = await openSession(h, asUser(USERS.alice));
    const b = await openSession(h, asUser(USERS.alice));
    assert.notEqual(a, b);
    assert.match(a, /^[\x21-\x7e]+$/);
  });

  it('answers GET /mcp with 405, never 404 (Inspector trap)', async () => {
    const res = await rawRequest(h.url, { method: 'GET', headers: { ...SERVICE, accept: 'text/event-stream' } });
    assert.equal(res.status, 405);
    assert.match(String(res.headers.allow), /POST/);
  });

  it('ends a session on DELETE', async () => {
    const { client, transport } = await h.connect(asUser(USERS.alice));
    const id = transport.sessionId as string;
    await transport.terminateSession();
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...asUser(USERS.alice), 'mcp-session-id': id }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
    assert.equal(res.status, 404);
    await client.close();
  });

  it('refuses a request that is neither initialize nor in a session', async () => {
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(res.status, 400);
  });
});

describe('MCP over HTTP: session expiry and per-identity caps', () => {
  let h: HttpFixture;
  before(async () => {
    h = await startHttpFixture(undefined, { sessions: { idleMs: 200, maxPerIdentity: 2 } });
  });
  after(() => h.close());

  it('closes the oldest session of an identity past its cap, and idle sessions after a while', async () => {
    const first = await openSession(h, asUser(USERS.alice));
    await openSession(h, asUser(USERS.alice));
    await openSession(h, asUser(USERS.alice));
    const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...asUser(USERS.alice), 'mcp-session-id': first }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(res.status, 404);
    await waitFor(() => h.mcp.sessionCount() === 0, 'idle sessions to expire');
  });
});

describe('MCP over Streamable HTTP bound to loopback: loopback Origins (M3, official conformance)', () => {
  let h: HttpFixture;
  before(async () => {
    h = await startHttpFixture(undefined, { allowedOrigins: [], allowLoopbackOrigins: true });
  });
  after(() => h.close());

  const origins: [string, number][] = [
    [`http://127.0.0.1:${'PORT'}`, 200],
    ['http://localhost:3000', 200],
    ['https://localhost', 200],
    ['http://[::1]:8080', 200],
    ['http://127.0.0.2:1234', 200],
    ['http://evil.example', 403],
    ['http://localhost.evil.example', 403],
    ['http://127.0.0.1.nip.io', 403],
    ['null', 403],
    ['file://localhost', 403],
    ['http://localhost:3000/path', 403],
  ];
  for (const [origin, status] of origins) {
    it(`answers ${status} to Origin ${origin}`, async () => {
      const value = origin.replace('PORT', String(h.server.port));
      const res = await rawRequest(h.url, { headers: { ...JSON_HEADERS, ...SERVICE, origin: value }, body: INITIALIZE });
      assert.equal(res.status, status, res.body);
    });
  }

  it('still wants the bearer token and a loopback Host', async () => {
    const local = { ...JSON_HEADERS, origin: 'http://localhost:3000' };
    assert.equal((await rawRequest(h.url, { headers: local, body: INITIALIZE })).status, 401);
    assert.equal((await rawRequest(h.url, { headers: { ...local, ...SERVICE, host: 'evil.example' }, body: INITIALIZE })).status, 403);
  });
});
