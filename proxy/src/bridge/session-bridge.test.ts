import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDatabase } from '../../../lib/sqlite.js';
import { createTokenService } from '../../../lib/tokens.js';
import { tempDir } from '../../../test/kit/temp.js';
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
