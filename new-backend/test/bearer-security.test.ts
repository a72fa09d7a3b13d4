import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from 'jose';
import { AUDIENCE, createTokenService } from '../../lib/tokens.js';
import { signSessionId } from '../../lib/legacy-session/session-cookie.js';
import { SqliteSessionStore } from '../../lib/legacy-session/session-store.js';
import { newSessionData } from '../../lib/legacy-session/session-cookie.js';
import { bearer, startNewBackend, type ClientResponse, type RunningNewBackend } from '../../test/kit/index.js';
import { forgeToken, unsignedToken } from '../../test/kit/forge-token.js';

/** SECURITY (b): a bad credential gets 401 `{"error":"Not authenticated"}` and nothing else. */
function assertRefused(res: ClientResponse): void {
  assert.equal(res.status, 401, `expected 401, got ${res.status} ${res.text}`);
  assert.equal(res.text, '{"error":"Not authenticated"}');
  assert.equal(res.headers.get('x-auth-token'), null);
  assert.deepEqual(res.setCookies, []);
}

describe('bearer tokens: every bad token is 401 and nothing else', () => {
  let nb: RunningNewBackend;
  let secret: string;
  before(async () => {
    nb = await startNewBackend();
    secret = nb.jwtSecrets[0] as string;
  });
  after(() => nb.close());

  const me = (token: string) => nb.client().get('/auth/me', { headers: bearer(token) });

  it('accepts the hand-forged baseline token, so each refusal below is for its own reason', async () => {
    const res = await me(await forgeToken(secret));
    assert.equal(res.status, 200);
    assert.equal(res.body.username, 'admin');
  });

  const attacks: Array<[string, () => Promise<string>]> = [
    ['alg none (J2)', async () => unsignedToken(secret)],
    ['HS256 signed with a different key under our kid (J2)', () => forgeToken(secret, { key: new TextEncoder().encode('another-secret-of-at-least-32-bytes!!') })],
    ['RS256 offered to the HS256 verifier (J2)', async () => forgeToken(secret, { header: { alg: 'RS256' }, key: (await generateKeyPair('RS256')).privateKey })],
    ['ES256 offered to the HS256 verifier (J2)', async () => forgeToken(secret, { header: { alg: 'ES256' }, key: (await generateKeyPair('ES256')).privateKey })],
    ['another audience: a token minted for the MCP server (J6)', async () => (await createTokenService([secret]).mint({ sub: 1, role: 'admin', audience: AUDIENCE.mcp })).token],
    ['a missing exp (J1)', () => forgeToken(secret, { omit: ['exp'] })],
    ['a missing jti (J1)', () => forgeToken(secret, { omit: ['jti'] })],
    ['an unknown crit header (J3)', () => forgeToken(secret, { header: { crit: ['x-custom'], 'x-custom': 1 }, crit: { 'x-custom': true } })],
    ['an unknown kid (J4)', () => forgeToken('yet-another-secret-of-32-bytes-or-more', { header: { kid: 'not-a-key-id' } })],
    ['a kid that tries SQL (J4)', () => forgeToken(secret, { header: { kid: "' OR 1=1 --" } })],
    ['expired (beyond the 30 s skew)', () => forgeToken(secret, { payload: { iat: Math.floor(Date.now() / 1000) - 400, exp: Math.floor(Date.now() / 1000) - 60 } })],
    ['a lifetime over 15 minutes (J7)', () => forgeToken(secret, { payload: { exp: Math.floor(Date.now() / 1000) + 3600 } })],
    ['typ JWT instead of at+jwt (J6)', () => forgeToken(secret, { header: { typ: 'JWT' } })],
    ['a user that does not exist', () => forgeToken(secret, { sub: 999_999 })],
  ];
  for (const [name, make] of attacks) {
    it(`refuses ${name}`, async () => {
      assertRefused(await me(await make()));
    });
  }

  for (const [name, header] of [
    ['no Authorization header', undefined],
    ['a Basic scheme', 'Basic YWRtaW46YWRtaW4='],
    ['Bearer with no token', 'Bearer '],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['garbage', 'Bearer %%%'],
  ] as const) {
    it(`refuses ${name}`, async () => {
      assertRefused(await nb.client().get('/auth/me', header ? { headers: { authorization: header } } : {}));
    });
  }

  it('never reads a token from the query string (M5)', async () => {
    const token = await nb.login(nb.admin.username, nb.admin.password);
    assertRefused(await nb.client().get(`/auth/me?access_token=${token}`));
  });

  it('ignores a live legacy session cookie: bearer only, no sessions', async () => {
    const store = new SqliteSessionStore(nb.sqlite, { pruneIntervalMs: 0 });
    const sid = store.create(newSessionData(1));
    const cookie = `connect.sid=${encodeURIComponent(signSessionId(sid, ['a-session-secret']))}`;
    assertRefused(await nb.client().get('/auth/me', { headers: { cookie } }));
    store.close();
  });

  it('refuses a revoked jti: logout denylists the token presented (J8, J9)', async () => {
    const user = await nb.user();
    assert.equal((await me(user.token)).status, 200);
    const out = await nb.client().post('/auth/logout', undefined, { headers: bearer(user.token) });
    assert.equal(out.status, 200);
    assertRefused(await me(user.token));
    const row = nb.sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM revoked_tokens').get();
    assert.ok((row?.n ?? 0) >= 1);
  });

  it('refuses a token issued before tokens_valid_after (a password change), and accepts one minted right after (J9)', async () => {
    const user = await nb.user();
    const other = await nb.login(user.username, user.password);
    const changed = await nb.client().put(`/users/${user.id}`, { password: 'a-brand-new-password' }, { headers: bearer(user.token) });
    assert.equal(changed.status, 200);
    assertRefused(await me(user.token));
    assertRefused(await me(other));
    // Possibly within the same second as the change: still accepted (iat is raised to tokens_valid_after).
    const fresh = await nb.login(user.username, 'a-brand-new-password');
    assert.equal((await me(fresh)).status, 200);
  });

  it('accepts a bridged token carrying a sid claim like any other (DESIGN §6)', async () => {
    const tokens = createTokenService([secret]);
    const { token } = await tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend, sid: tokens.sessionTag('some-session-id') });
    assert.equal((await me(token)).status, 200);
  });

  it('verifies with every configured secret: a token of the previous JWT_SECRET still works after rotation', async () => {
    const old = 'the-previous-jwt-secret-0123456789abcdef';
    const rotated = await startNewBackend({ dbPath: nb.dbPath, jwtSecrets: [secret, old] });
    try {
      const token = (await createTokenService([old]).mint({ sub: 1, role: 'admin', audience: AUDIENCE.newBackend })).token;
      assert.equal((await rotated.client().get('/auth/me', { headers: bearer(token) })).status, 200);
      assertRefused(await me(token));
    } finally {
      await rotated.close();
    }
  });

  it('reads the role fresh: a demoted admin loses admin at once, whatever the token says', async () => {
    const admin = await nb.user({ role: 'admin' });
    assert.equal((await nb.client().get('/users', { headers: bearer(admin.token) })).status, 200);
    const root = await nb.login(nb.admin.username, nb.admin.password);
    assert.equal((await nb.client().put(`/users/${admin.id}`, { role: 'user' }, { headers: bearer(root) })).status, 200);
    const res = await nb.client().get('/users', { headers: bearer(admin.token) });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { error: 'Insufficient permissions' });
  });

  it('refuses the token of a deleted user', async () => {
    const user = await nb.user();
    const root = await nb.login(nb.admin.username, nb.admin.password);
    assert.equal((await nb.client().delete(`/users/${user.id}`, { headers: bearer(root) })).status, 204);
    assertRefused(await me(user.token));
  });
});
