import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillPlaceholders } from './placeholders.js';

const values = { db: '/tmp/r/legacy.db', port: 6123, dir: '/tmp/r/legacy', jwks: 'http://127.0.0.1:6100/__proxy/jwks.json', urls: { mcp: 'http://127.0.0.1:6200' } };

describe('replay placeholders', () => {
  it('fills {db}, {port}, {dir}, {jwks} and {url:<service>}, leaving other text alone', () => {
    assert.deepEqual(fillPlaceholders({ DATABASE_PATH: '{db}', PORT: '{port}', WS: '{dir}/workspace', JWKS: '{jwks}', MCP_URL: '{url:mcp}/mcp', PLAIN: 'a{b', JSON: '{"a":1}' }, values, 'replay.backends.legacy'), {
      ok: true,
      env: { DATABASE_PATH: '/tmp/r/legacy.db', PORT: '6123', WS: '/tmp/r/legacy/workspace', JWKS: 'http://127.0.0.1:6100/__proxy/jwks.json', MCP_URL: 'http://127.0.0.1:6200/mcp', PLAIN: 'a{b', JSON: '{"a":1}' },
    });
  });

  it('refuses an unknown placeholder or service, naming the variable and the fix', () => {
    assert.deepEqual(fillPlaceholders({ DATABASE_PATH: '{database}', MCP_URL: '{url:mpc}' }, values, 'replay.backends.new'), {
      ok: false,
      errors: [
        'replay.backends.new.env.DATABASE_PATH: unknown placeholder {database}: use {db}, {port}, {dir}, {jwks} or {url:<service>}',
        'replay.backends.new.env.MCP_URL: {url:mpc} names no service (known: mcp): add it under replay.services',
      ],
    });
  });
});
