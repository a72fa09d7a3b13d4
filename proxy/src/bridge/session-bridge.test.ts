import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ConfigError } from '../../../lib/env.js';
import { tempDir } from '../../../test/kit/temp.js';
import { openSessionBridge, secretProblems } from './open-session-bridge.js';

const logger = pino({ level: 'silent' });
const JWT = 'a-jwt-secret-long-enough-0123456789abcdef';

describe('openSessionBridge: secrets (SECURITY J5)', () => {
  const cases: Array<[string, string[], string[], RegExp | undefined]> = [
    ['distinct, long enough', ['session-secret'], [JWT], undefined],
    ['no JWT secret', ['session-secret'], [], /JWT_SECRET is empty/],
    ['no session secret', [], [JWT], /SESSION_SECRET is empty/],
    ['a short JWT secret', ['session-secret'], ['short'], /shorter than 32 bytes/],
    ['a JWT secret that is also a session secret', [JWT, 'x'], [JWT], /also a SESSION_SECRET/],
  ];
  for (const [label, sessionSecrets, jwtSecrets, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} ${label}`, () => {
      const problems = secretProblems(sessionSecrets, jwtSecrets);
      if (problem) assert.match(problems.join('\n'), problem);
      else assert.deepEqual(problems, []);
    });
  }

  it('refuses to open with a ConfigError naming the problem', async () => {
    const dir = tempDir('strangler-bridge-open-');
    try {
      const same = 'same-secret-0123456789abcdef0123456789';
      await assert.rejects(
        openSessionBridge({ databasePath: dir.file('app.db'), sessionSecrets: [same], jwtSecrets: [same], tokens: { alg: 'EdDSA', ttlSec: 300 }, signingKeysFile: dir.file('keys.json'), production: false, logger }),
        (err: unknown) => err instanceof ConfigError && /also a SESSION_SECRET/.test(err.message),
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('openSessionBridge: signing keys', () => {
  const open = (dir: ReturnType<typeof tempDir>, production: boolean, alg: 'EdDSA' | 'ES256' | 'HS256' = 'EdDSA') =>
    openSessionBridge({ databasePath: dir.file('app.db'), sessionSecrets: ['session-secret'], jwtSecrets: [JWT], tokens: { alg, ttlSec: 300 }, signingKeysFile: dir.file('keys.json'), production, logger });

  it('refuses, in production, a missing key file, naming the variable and the command that makes one', async () => {
    const dir = tempDir('strangler-bridge-keys-');
    try {
      await assert.rejects(open(dir, true), (err: unknown) => err instanceof ConfigError && /STRANGLER_SIGNING_KEYS/.test(err.message) && /strangler keys rotate --file/.test(err.message));
      assert.equal(existsSync(dir.file('keys.json')), false);
    } finally {
      dir.cleanup();
    }
  });

  it('makes a private key file once in development and publishes its public half only', async () => {
    const dir = tempDir('strangler-bridge-keys-');
    try {
      const bridge = await open(dir, false);
      assert.equal(statSync(dir.file('keys.json')).mode & 0o777, 0o600);
      const { keys } = bridge.jwks() as { keys: Array<Record<string, unknown>> };
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.alg, 'EdDSA');
      assert.equal(keys[0]?.crv, 'Ed25519');
      assert.equal(keys[0]?.d, undefined, 'the private part is never published');
      const again = await open(dir, false);
      assert.deepEqual(again.jwks(), bridge.jwks(), 'the same key on the next start');
      await bridge.close?.();
      await again.close?.();
    } finally {
      dir.cleanup();
    }
  });

  it('publishes no key with HS256, and refuses a key file that is not JSON', async () => {
    const dir = tempDir('strangler-bridge-keys-');
    try {
      const hs = await open(dir, false, 'HS256');
      assert.deepEqual(hs.jwks(), { keys: [] });
      await hs.close?.();
      const { writeFileSync } = await import('node:fs');
      writeFileSync(dir.file('keys.json'), '{nope');
      await assert.rejects(open(dir, false), (err: unknown) => err instanceof ConfigError && /keys\.json is not JSON/.test(err.message));
    } finally {
      dir.cleanup();
    }
  });
});

describe('signing key rotation', () => {
  it('signs with the new key at once and keeps the old one published until its tokens have expired', async () => {
    const { createLocalJWKSet, jwtVerify, decodeProtectedHeader } = await import('jose');
    const { openKeyFileSigner } = await import('./tokens/bridge-signer.js');
    const { rotateKeyFile, RETIRED_KEY_GRACE_MS } = await import('./tokens/signing-keys.js');
    const dir = tempDir('strangler-bridge-rotate-');
    try {
      const file = dir.file('keys.json');
      let now = Date.now();
      await rotateKeyFile(file, 'EdDSA', now);
      const signer = await openKeyFileSigner(file, { logger, clock: () => now });
      const mint = () => signer.mint({ sub: '7', claims: { role: 'user' }, audience: 'strangler:new', ttlSec: 300, notAfter: Math.floor(now / 1000) + 300, sid: 'tag', issuedAtLeast: 0 });
      const before = await mint();
      // A second passes (the signer looks at the file at most once a second), then the rotation.
      now += 1500;
      await rotateKeyFile(file, 'EdDSA', now);
      const after = await mint();
      assert.notEqual(decodeProtectedHeader(after.token).kid, decodeProtectedHeader(before.token).kid, 'the new key signs');
      const verify = (token: string) => jwtVerify(token, createLocalJWKSet(signer.jwks() as never), { audience: 'strangler:new', currentDate: new Date(now) });
      await verify(before.token);
      await verify(after.token);
      assert.equal(signer.jwks().keys.length, 2);
      now += RETIRED_KEY_GRACE_MS + 2000;
      assert.equal(signer.jwks().keys.length, 1, 'the retired key is unpublished once its tokens are long expired');
    } finally {
      dir.cleanup();
    }
  });
});
