import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../env.js';
import { parseDuration, resolveMcpClientSettings } from './mcp-settings.js';

const secrets = { MCP_TOKEN: 'service-token', JWT_SECRET: 'first-secret-0123456789abcdef0123,older-secret' };

describe('resolveMcpClientSettings', () => {
  it('uses the defaults: the local MCP server, a one-hour approval window', () => {
    assert.deepEqual(resolveMcpClientSettings({}, secrets), {
      url: 'http://127.0.0.1:5000/mcp', serviceToken: 'service-token', jwtSecrets: ['first-secret-0123456789abcdef0123', 'older-secret'],
      approvalTtlMs: 3_600_000, connectTimeoutMs: 3000, limits: { calls: 10, windowMs: 20_000, pendingPerUser: 20 },
    });
  });

  it('reads MCP_URL (a bare origin means /mcp), MCP_APPROVAL_TTL and MCP_CONNECT_TIMEOUT_MS', () => {
    const s = resolveMcpClientSettings({ MCP_URL: 'http://mcp.internal:5000', MCP_APPROVAL_TTL: '15m', MCP_CONNECT_TIMEOUT_MS: '500' }, secrets);
    assert.equal(s.url, 'http://mcp.internal:5000/mcp');
    assert.equal(s.approvalTtlMs, 900_000);
    assert.equal(s.connectTimeoutMs, 500);
  });

  it('reads MCP_COMMAND_RATE as <calls>/<window>, and refuses what is not', () => {
    assert.deepEqual(resolveMcpClientSettings({ MCP_COMMAND_RATE: '60/1m' }, secrets).limits, { calls: 60, windowMs: 60_000, pendingPerUser: 20 });
    assert.deepEqual(resolveMcpClientSettings({ MCP_COMMAND_RATE: ' 5 / 30 ' }, secrets).limits, { calls: 5, windowMs: 30_000, pendingPerUser: 20 });
    for (const bad of ['60', '0/1m', '10/0s', '10/2h', 'ten/1m', '10/soon']) {
      assert.throws(() => resolveMcpClientSettings({ MCP_COMMAND_RATE: bad }, secrets), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [`MCP_COMMAND_RATE=${bad} is not <calls>/<window>: write e.g. 10/20s or 60/1m (at least 1 call, a window from 1s to 1h)`]);
        return true;
      }, bad);
    }
  });

  it('refuses bad values, listing every problem with its fix', () => {
    assert.throws(
      () => resolveMcpClientSettings({ MCP_URL: 'ftp://x', MCP_APPROVAL_TTL: 'soon', MCP_CONNECT_TIMEOUT_MS: '0' }, { MCP_TOKEN: '', JWT_SECRET: '' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 5, err.problems.join('\n'));
        assert.match(err.problems[0] as string, /MCP_URL=ftp:\/\/x must be http or https/);
        assert.match(err.problems[1] as string, /MCP_APPROVAL_TTL=soon .* e\.g\. 3600s, 60m or 1h/);
        return true;
      },
    );
    assert.throws(() => resolveMcpClientSettings({ MCP_URL: 'http://user:pw@x/mcp' }, secrets), /must not carry credentials/);
  });
});

describe('parseDuration', () => {
  for (const [raw, ms] of [[undefined, 3_600_000], ['', 3_600_000], ['90', 90_000], ['90s', 90_000], ['2m', 120_000], ['1h', 3_600_000], ['1500ms', 1500], ['1.5h', undefined], ['-1s', undefined], ['1d', undefined]] as const) {
    it(`${String(raw)} → ${String(ms)}`, () => assert.equal(parseDuration(raw), ms));
  }
});
