import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { ConfigError } from '../../../lib/env.js';
import { openDatabase } from '../../../lib/sqlite.js';
import { createTokenService } from '../../../lib/tokens.js';
import { tempDir } from '../../../test/kit/temp.js';
import { openSessionBridge, secretProblems } from './open-session-bridge.js';
import { createSessionBridge, type SessionBridgeOptions } from './session-bridge.js';
import { createSqliteBridgeSessions } from './sqlite-bridge-sessions.js';

describe('createSessionBridge: options are checked once, when it is made', () => {
  const dir = tempDir('strangler-bridge-options-');
  const db = openDatabase(dir.file('app.db'));
  const logger = pino({ level: 'silent' });
  const deps = { sessions: createSqliteBridgeSessions(db, logger), tokens: createTokenService(['jwt-secret-for-option-checks-0123456789abcdef']), logger };
  after(() => {
    db.close();
    dir.cleanup();
  });

  const refused: Array<[string, SessionBridgeOptions, RegExp]> = [
    ['no session secret', { sessionSecrets: [] }, /SESSION_SECRET is empty/],
    ['an empty session secret', { sessionSecrets: [''] }, /SESSION_SECRET is empty/],
    ['a token lifetime over 5 minutes', { sessionSecrets: ['s'], tokenTtlSec: 301 }, /tokenTtlSec must be 1-300/],
    ['a zero token lifetime', { sessionSecrets: ['s'], tokenTtlSec: 0 }, /tokenTtlSec must be 1-300/],
    ['a reuse margin as long as the lifetime', { sessionSecrets: ['s'], tokenTtlSec: 60, reuseMarginSec: 60 }, /reuseMarginSec must be/],
    ['a cache of no entries', { sessionSecrets: ['s'], maxCachedTokens: 0 }, /maxEntries must be a positive integer/],
  ];
  for (const [label, options, message] of refused) {
    it(`refuses ${label}`, () => assert.throws(() => createSessionBridge(options, deps), message));
  }

  it('accepts the defaults, and a short lifetime with a margin that fits it', () => {
    assert.equal(createSessionBridge({ sessionSecrets: ['s'] }, deps).name, 'session-bridge');
    assert.equal(createSessionBridge({ sessionSecrets: ['s'], tokenTtlSec: 30 }, deps).name, 'session-bridge');
  });
});

describe('openSessionBridge: secrets (SECURITY J5)', () => {
  const long = 'a-jwt-secret-long-enough-0123456789abcdef';
  const cases: Array<[string, string[], string[], RegExp | undefined]> = [
    ['distinct, long enough', ['session-secret'], [long], undefined],
    ['no JWT secret', ['session-secret'], [], /JWT_SECRET is empty/],
    ['no session secret', [], [long], /SESSION_SECRET is empty/],
    ['a short JWT secret', ['session-secret'], ['short'], /shorter than 32 bytes/],
    ['a JWT secret that is also a session secret', [long, 'x'], [long], /also a SESSION_SECRET/],
  ];
  for (const [label, sessionSecrets, jwtSecrets, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} ${label}`, () => {
      const problems = secretProblems(sessionSecrets, jwtSecrets);
      if (problem) assert.match(problems.join('\n'), problem);
      else assert.deepEqual(problems, []);
    });
  }

  it('refuses to open with a ConfigError naming the problem', () => {
    const dir = tempDir('strangler-bridge-open-');
    try {
      assert.throws(
        () => openSessionBridge({ databasePath: dir.file('app.db'), sessionSecrets: ['same-secret-0123456789abcdef0123456789'], jwtSecrets: ['same-secret-0123456789abcdef0123456789'], logger: pino({ level: 'silent' }) }),
        (err: unknown) => err instanceof ConfigError && /also a SESSION_SECRET/.test(err.message),
      );
    } finally {
      dir.cleanup();
    }
  });
});
