import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { AUDIENCE, MAX_ACCESS_TTL_SEC } from '../../lib/tokens.js';
import { hashRefreshToken } from '../src/auth/refresh-tokens.js';
import { bearer, startNewBackend, type ClientResponse, type RunningNewBackend } from '../../test/kit/index.js';

const REFRESH_COOKIE = /^refresh_token=([A-Za-z0-9_-]{43}); Max-Age=(\d+); Path=\/auth\/refresh; HttpOnly; Secure; SameSite=Strict$/;

function assertRefused(res: ClientResponse): void {
  assert.equal(res.status, 401, `expected 401, got ${res.status} ${res.text}`);
  assert.equal(res.text, '{"error":"Not authenticated"}');
  assert.deepEqual(res.setCookies, []);
}

describe('token API: /auth/token, /auth/refresh, logout', () => {
  let nb: RunningNewBackend;
  before(async () => {
    nb = await startNewBackend();
  });
  after(() => nb.close());

  const token = (body: unknown) => nb.client().post('/auth/token', body);
  const refresh = (refreshToken: string) => nb.client().post('/auth/refresh', { refresh_token: refreshToken });
  const me = (access: string) => nb.client().get('/auth/me', { headers: bearer(access) });

  it('answers the password grant (JSON) with an access token, a refresh token and who it is for', async () => {
    const user = await nb.user();
    const res = await token({ username: user.username, password: user.password });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['access_token', 'token_type', 'expires_in', 'refresh_token', 'id', 'username', 'role']);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.id, user.id);
    assert.equal(res.body.username, user.username);
    assert.equal(res.body.role, 'user');
    assert.ok(res.body.expires_in > 0 && res.body.expires_in <= MAX_ACCESS_TTL_SEC);
    assert.match(res.body.refresh_token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
    const claims = decodeJwt(res.body.access_token);
    assert.equal(claims.aud, AUDIENCE.newBackend);
    assert.equal(claims.sub, String(user.id));
    assert.equal((await me(res.body.access_token)).status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('answers the OAuth2 form (grant_type=password) too', async () => {
    const user = await nb.user();
    const res = await nb.client().request('POST', '/auth/token', { body: new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password }) });
    assert.equal(res.status, 200);
    assert.equal(res.body.username, user.username);
  });

  it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth/refresh (J10)', async () => {
    const user = await nb.user();
    const res = await token({ username: user.username, password: user.password });
    assert.equal(res.setCookies.length, 1);
    const match = REFRESH_COOKIE.exec(res.setCookies[0] as string);
    assert.ok(match, `cookie: ${res.setCookies[0]}`);
    assert.equal(match[1], res.body.refresh_token);
  });

  it('stores refresh tokens hashed, never as given', async () => {
    const user = await nb.user();
    const res = await token({ username: user.username, password: user.password });
    const raw = res.body.refresh_token as string;
    const rows = nb.sqlite.prepare<[number], { token_hash: string }>('SELECT token_hash FROM refresh_tokens WHERE user_id = ?').all(user.id);
    assert.deepEqual(rows.map((r) => r.token_hash), [hashRefreshToken(raw)]);
    assert.ok(!rows.some((r) => r.token_hash.includes(raw)));
  });

  for (const [label, body, status, message] of [
    ['no credentials', {}, 400, 'Username and password are required'],
    ['an empty password', { username: 'admin', password: '' }, 400, 'Username and password are required'],
    ['an unknown grant', { grant_type: 'client_credentials' }, 400, 'grant_type must be password or refresh_token'],
    ['a wrong password', { username: 'admin', password: 'not-the-password' }, 401, 'Incorrect username or password'],
    ['an unknown user', { username: 'nobody_at_all', password: 'whatever-password' }, 401, 'Incorrect username or password'],
    ['a refresh grant with no token', { grant_type: 'refresh_token' }, 400, 'refresh_token is required: send it in the JSON or form body, or as the refresh_token cookie'],
  ] as const) {
    it(`answers ${status} to ${label}`, async () => {
      const res = await token(body);
      assert.equal(res.status, status);
      assert.deepEqual(res.body, { error: message });
      assert.deepEqual(res.setCookies, []);
    });
  }

  it('rotates: each refresh spends the token and returns a new pair in the same family', async () => {
    const user = await nb.user();
    const first = await token({ username: user.username, password: user.password });
    const second = await refresh(first.body.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
    assert.notEqual(second.body.access_token, first.body.access_token);
    assert.equal((await me(second.body.access_token)).status, 200);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.status, 200);
    const families = nb.sqlite.prepare<[number], { n: number }>('SELECT count(DISTINCT family_id) AS n FROM refresh_tokens WHERE user_id = ?').get(user.id);
    assert.equal(families?.n, 1);
  });

  it('takes the refresh token from its cookie when the body has none', async () => {
    const user = await nb.user();
    const first = await token({ username: user.username, password: user.password });
    const cookie = (first.setCookies[0] as string).split(';')[0] as string;
    const res = await nb.client().request('POST', '/auth/refresh', { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.ok(REFRESH_COOKIE.test(res.setCookies[0] ?? ''), 'the rotated token comes back as the cookie');
  });

  it('takes the refresh grant at /auth/token too (OAuth2 clients use one endpoint)', async () => {
    const user = await nb.user();
    const first = await token({ username: user.username, password: user.password });
    const res = await nb.client().request('POST', '/auth/token', { body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }) });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, user.id);
  });

  it('a replayed refresh token is 401 and kills the whole family, access tokens included (J7)', async () => {
    const user = await nb.user();
    const first = await token({ username: user.username, password: user.password });
    const second = await refresh(first.body.refresh_token);
    assert.equal(second.status, 200);
    // The attacker (or the victim) presents the spent token again.
    assertRefused(await refresh(first.body.refresh_token));
    // The family is dead: the legitimate newer token no longer refreshes ...
    assertRefused(await refresh(second.body.refresh_token));
    // ... and the access tokens issued in the family are denylisted.
    assertRefused(await me(second.body.access_token));
    assertRefused(await me(first.body.access_token));
    // Another login starts a fresh family that works.
    const again = await token({ username: user.username, password: user.password });
    assert.equal((await refresh(again.body.refresh_token)).status, 200);
  });

  it('two refreshes racing with one token: never two winners, and the family dies', async () => {
    const user = await nb.user();
    const first = await token({ username: user.username, password: user.password });
    const results = await Promise.all([refresh(first.body.refresh_token), refresh(first.body.refresh_token)]);
    const statuses = results.map((r) => r.status).sort();
    // One may win the claim, or the replay may kill the family before the winner's new token lands.
    assert.ok(JSON.stringify(statuses) === '[200,401]' || JSON.stringify(statuses) === '[401,401]', `statuses ${statuses.join(', ')}`);
    const winner = results.find((r) => r.status === 200) as ClientResponse<{ refresh_token: string; access_token: string }> | undefined;
    if (winner) {
      assertRefused(await refresh(winner.body.refresh_token));
      assertRefused(await me(winner.body.access_token));
    }
  });

  it('refuses unknown and malformed refresh tokens with 401', async () => {
    assertRefused(await refresh('A'.repeat(43)));
    assertRefused(await refresh('not even base64 ∆'));
    assertRefused(await nb.client().request('POST', '/auth/refresh', { headers: { cookie: 'refresh_token=bogus' } }));
  });

  it('answers 400 to a refresh with no token at all', async () => {
    const res = await nb.client().post('/auth/refresh');
    assert.equal(res.status, 400);
    assert.match(res.body.error, /^refresh_token is required/);
  });

  it('logout revokes the access token and its refresh family (J9)', async () => {
    const user = await nb.user();
    const pair = await token({ username: user.username, password: user.password });
    const out = await nb.client().post('/auth/logout', undefined, { headers: bearer(pair.body.access_token) });
    assert.equal(out.status, 200);
    assert.equal(out.headers.get('x-auth-logout'), '1');
    assertRefused(await me(pair.body.access_token));
    assertRefused(await refresh(pair.body.refresh_token));
  });

  it('logout with a refresh token in the body revokes that family too', async () => {
    const user = await nb.user();
    const pair = await token({ username: user.username, password: user.password });
    assert.equal((await nb.client().post('/auth/logout', { refresh_token: pair.body.refresh_token })).status, 200);
    assertRefused(await refresh(pair.body.refresh_token));
  });

  it('a password change refuses every refresh token issued before it (J9)', async () => {
    const user = await nb.user();
    const pair = await token({ username: user.username, password: user.password });
    const changed = await nb.client().put(`/users/${user.id}`, { password: 'another-password' }, { headers: bearer(user.token) });
    assert.equal(changed.status, 200);
    assertRefused(await refresh(pair.body.refresh_token));
    const fresh = await token({ username: user.username, password: 'another-password' });
    assert.equal((await refresh(fresh.body.refresh_token)).status, 200);
  });

  it('a refresh for a deleted user is 401', async () => {
    const user = await nb.user();
    const pair = await token({ username: user.username, password: user.password });
    const root = await nb.login(nb.admin.username, nb.admin.password);
    assert.equal((await nb.client().delete(`/users/${user.id}`, { headers: bearer(root) })).status, 204);
    assertRefused(await refresh(pair.body.refresh_token));
  });
});

describe('token API: expiry', () => {
  let nb: RunningNewBackend;
  let now = Date.now();
  before(async () => {
    nb = await startNewBackend({ clock: () => now });
  });
  after(() => nb.close());

  it('refuses a refresh token past its 7 days, and an access token past its 15 minutes', async () => {
    const user = await nb.user();
    const pair = await nb.client().post('/auth/token', { username: user.username, password: user.password });
    assert.equal(pair.status, 200);
    now += 16 * 60 * 1000;
    assertRefused(await nb.client().get('/auth/me', { headers: bearer(pair.body.access_token) }));
    const rotated = await nb.client().post('/auth/refresh', { refresh_token: pair.body.refresh_token });
    assert.equal(rotated.status, 200, 'a refresh token outlives the access token');
    now += 8 * 24 * 3600 * 1000;
    assertRefused(await nb.client().post('/auth/refresh', { refresh_token: rotated.body.refresh_token }));
  });
});
