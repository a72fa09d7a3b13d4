import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair, base64url, decodeJwt, decodeProtectedHeader, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { AUDIENCE, ISSUER, ACCESS_TOKEN_TYP, MAX_ACCESS_TTL_SEC, createTokenService, keyId } from './tokens.js';

const SECRET = 'k'.repeat(40);
const OTHER_SECRET = 'o'.repeat(40);
const NOW_MS = Date.UTC(2026, 10, 25, 12, 0, 0);
const NOW = NOW_MS / 1000;
const clock = () => NOW_MS;

/** A token signed by hand, for attacks the service itself would never mint. */
async function forge(options: {
  header?: Partial<JWTHeaderParameters>;
  payload?: JWTPayload;
  omit?: readonly string[];
  key?: Uint8Array | CryptoKey;
  crit?: Record<string, boolean>;
}): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER, aud: AUDIENCE.newBackend, sub: '1', role: 'admin', jti: 'j-1', iat: NOW, exp: NOW + 60,
    ...options.payload,
  };
  for (const k of options.omit ?? []) delete payload[k];
  const header = { alg: 'HS256', typ: ACCESS_TOKEN_TYP, kid: keyId(SECRET), ...options.header } as JWTHeaderParameters;
  return new SignJWT(payload)
    .setProtectedHeader(header)
    .sign(options.key ?? new TextEncoder().encode(SECRET), options.crit ? { crit: options.crit } : undefined);
}

function unsigned(header: object, payload: object): string {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  return `${enc(header)}.${enc(payload)}.`;
}

describe('access tokens: minting', () => {
  const tokens = createTokenService([SECRET], clock);

  it('mints a token its own verifier accepts, with every required claim', async () => {
    const { token, claims } = await tokens.mint({ sub: 7, role: 'user', audience: AUDIENCE.newBackend });
    const header = decodeProtectedHeader(token);
    assert.deepEqual(header, { alg: 'HS256', typ: 'at+jwt', kid: keyId(SECRET) });
    const payload = decodeJwt(token);
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.aud, AUDIENCE.newBackend);
    assert.equal(payload.sub, '7');
    assert.equal(payload.iat, NOW);
    assert.equal(payload.exp, NOW + MAX_ACCESS_TTL_SEC);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(await tokens.verify(token, AUDIENCE.newBackend), { ok: true, claims });
  });

  it('gives every token its own jti', async () => {
    const a = await tokens.mint({ sub: 1, role: 'user', audience: AUDIENCE.newBackend });
    const b = await tokens.mint({ sub: 1, role: 'user', audience: AUDIENCE.newBackend });
    assert.notEqual(a.claims.jti, b.claims.jti);
  });

  const lifetimes: Array<[string, Parameters<typeof tokens.mint>[0], number, number]> = [
    ['caps a longer ttl at 15 minutes', { sub: 1, role: 'user', audience: AUDIENCE.mcp, ttlSec: 3600 }, NOW, NOW + 900],
    ['keeps a shorter ttl', { sub: 1, role: 'user', audience: AUDIENCE.mcp, ttlSec: 60 }, NOW, NOW + 60],
    ['ends at notAfter when that comes first', { sub: 1, role: 'user', audience: AUDIENCE.mcp, notAfter: NOW + 10 }, NOW, NOW + 10],
    ['raises iat to issuedAtLeast (a password change this very second)', { sub: 1, role: 'user', audience: AUDIENCE.mcp, issuedAtLeast: NOW + 1 }, NOW + 1, NOW + 901],
    ['never raises iat past the verifiers\' tolerance', { sub: 1, role: 'user', audience: AUDIENCE.mcp, issuedAtLeast: NOW + 3600 }, NOW + 29, NOW + 929],
    ['ignores an issuedAtLeast in the past', { sub: 1, role: 'user', audience: AUDIENCE.mcp, issuedAtLeast: NOW - 100 }, NOW, NOW + 900],
  ];
  for (const [name, options, iat, exp] of lifetimes) {
    it(name, async () => {
      const { token, claims } = await tokens.mint(options);
      assert.equal(claims.iat, iat);
      assert.equal(claims.exp, exp);
      assert.equal((await tokens.verify(token, AUDIENCE.mcp)).ok, true);
    });
  }

  it('carries a session tag, never the session id itself', async () => {
    const sid = 'abcdefghijklmnopqrstuvwxyz012345';
    const tag = tokens.sessionTag(sid);
    assert.equal(tag, tokens.sessionTag(sid));
    assert.notEqual(tag, tokens.sessionTag(`${sid}x`));
    assert.ok(!tag.includes(sid));
    const { token } = await tokens.mint({ sub: 1, role: 'user', audience: AUDIENCE.newBackend, sid: tag });
    const result = await tokens.verify(token, AUDIENCE.newBackend);
    assert.ok(result.ok && result.claims.sid === tag);
    assert.ok(!token.includes(sid));
  });
});

describe('access tokens: secrets', () => {
  it('refuses a secret shorter than 32 bytes', () => {
    assert.throws(() => createTokenService(['x'.repeat(31)]), /at least 32 bytes/);
    assert.throws(() => createTokenService([SECRET, 'short']), /at least 32 bytes/);
  });

  it('refuses to start with no secret', () => {
    assert.throws(() => createTokenService([]), /JWT_SECRET is not set/);
  });

  it('verifies tokens of every configured secret and signs with the first (rotation)', async () => {
    const old = createTokenService([OTHER_SECRET], clock);
    const rotated = createTokenService([SECRET, OTHER_SECRET], clock);
    const { token } = await old.mint({ sub: 1, role: 'user', audience: AUDIENCE.newBackend });
    assert.equal((await rotated.verify(token, AUDIENCE.newBackend)).ok, true);
    const fresh = await rotated.mint({ sub: 1, role: 'user', audience: AUDIENCE.newBackend });
    assert.equal(decodeProtectedHeader(fresh.token).kid, keyId(SECRET));
    assert.equal((await old.verify(fresh.token, AUDIENCE.newBackend)).ok, false);
  });

  it('names a key by an id that does not reveal it', () => {
    assert.equal(keyId(SECRET).length, 12);
    assert.ok(!SECRET.includes(keyId(SECRET)));
  });
});

describe('access tokens: what the verifier refuses', () => {
  const tokens = createTokenService([SECRET], clock);

  it('accepts the hand-forged baseline, so each case below fails for its own reason', async () => {
    assert.equal((await tokens.verify(await forge({}), AUDIENCE.newBackend)).ok, true);
  });

  const cases: Array<[string, () => Promise<string>]> = [
    ['alg none', async () => unsigned({ alg: 'none', typ: ACCESS_TOKEN_TYP, kid: keyId(SECRET) }, { iss: ISSUER, aud: AUDIENCE.newBackend, sub: '1', role: 'admin', jti: 'j', iat: NOW, exp: NOW + 60 })],
    ['HS256 signed with another key under the right kid', () => forge({ key: new TextEncoder().encode(OTHER_SECRET) })],
    ['an unknown kid', () => forge({ header: { kid: keyId(OTHER_SECRET) }, key: new TextEncoder().encode(OTHER_SECRET) })],
    ['no kid', () => forge({ header: { kid: undefined } })],
    ['RS256 offered to the HS256 verifier', async () => forge({ header: { alg: 'RS256' }, key: (await generateKeyPair('RS256')).privateKey })],
    ['ES256 offered to the HS256 verifier', async () => forge({ header: { alg: 'ES256' }, key: (await generateKeyPair('ES256')).privateKey })],
    ['HS512 with the right secret (one algorithm pinned)', () => forge({ header: { alg: 'HS512' }, key: new TextEncoder().encode(SECRET.repeat(2)) })],
    ['an embedded jwk naming the attacker\'s key', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const { exportJWK } = await import('jose');
      return forge({ header: { alg: 'ES256', jwk: await exportJWK(publicKey) }, key: privateKey });
    }],
    ['another audience (the MCP server\'s)', () => forge({ payload: { aud: AUDIENCE.mcp } })],
    ['another issuer', () => forge({ payload: { iss: 'urn:someone-else' } })],
    ['a missing typ', () => forge({ header: { typ: undefined } })],
    ['another typ (a plain JWT)', () => forge({ header: { typ: 'JWT' } })],
    ['a missing exp', () => forge({ omit: ['exp'] })],
    ['a missing iat', () => forge({ omit: ['iat'] })],
    ['a missing sub', () => forge({ omit: ['sub'] })],
    ['a missing jti', () => forge({ omit: ['jti'] })],
    ['a non-numeric sub', () => forge({ payload: { sub: 'admin' } })],
    ['a missing role', () => forge({ omit: ['role'] })],
    ['an unknown role', () => forge({ payload: { role: 'root' } })],
    ['an unknown crit header', () => forge({ header: { crit: ['x'], x: 1 } as Partial<JWTHeaderParameters>, crit: { x: true } })],
    ['expired beyond the 30 s tolerance', () => forge({ payload: { iat: NOW - 200, exp: NOW - 31 } })],
    ['issued too long ago', () => forge({ payload: { iat: NOW - MAX_ACCESS_TTL_SEC - 31, exp: NOW + 60 } })],
    ['issued in the future beyond the tolerance', () => forge({ payload: { iat: NOW + 31, exp: NOW + 120 } })],
    ['a lifetime over 15 minutes', () => forge({ payload: { iat: NOW, exp: NOW + MAX_ACCESS_TTL_SEC + 1 } })],
    ['a tampered payload', async () => {
      const [h, , s] = (await forge({ payload: { role: 'user' } })).split('.');
      return `${h}.${base64url.encode(JSON.stringify({ iss: ISSUER, aud: AUDIENCE.newBackend, sub: '1', role: 'admin', jti: 'j', iat: NOW, exp: NOW + 60 }))}.${s}`;
    }],
    ['garbage', async () => 'not.a.token'],
    ['an empty string', async () => ''],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name}`, async () => {
      const result = await tokens.verify(await make(), AUDIENCE.newBackend);
      assert.equal(result.ok, false);
    });
  }

  it('tolerates 30 s of clock skew on exp, and not one second more', async () => {
    assert.equal((await tokens.verify(await forge({ payload: { iat: NOW - 100, exp: NOW - 29 } }), AUDIENCE.newBackend)).ok, true);
    assert.equal((await tokens.verify(await forge({ payload: { iat: NOW - 100, exp: NOW - 30 } }), AUDIENCE.newBackend)).ok, false);
  });

  it('refuses a token minted for the other consumer (J6)', async () => {
    const { token } = await tokens.mint({ sub: 1, role: 'admin', audience: AUDIENCE.mcp });
    assert.equal((await tokens.verify(token, AUDIENCE.newBackend)).ok, false);
    assert.equal((await tokens.verify(token, AUDIENCE.mcp)).ok, true);
  });

  it('says why, without echoing the token', async () => {
    const result = await tokens.verify(await forge({ payload: { aud: AUDIENCE.mcp } }), AUDIENCE.newBackend);
    assert.deepEqual(result, { ok: false, reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });
});
