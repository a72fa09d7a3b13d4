import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveMcpConfig } from './config.js';

describe('MCP server configuration (M10)', () => {
  it('binds 127.0.0.1:5000 with loopback Host names and the Inspector origin by default', () => {
    const result = resolveMcpConfig({});
    assert.ok(result.ok);
    assert.equal(result.config.host, '127.0.0.1');
    assert.equal(result.config.port, 5000);
    assert.deepEqual(result.config.allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
    assert.deepEqual(result.config.allowedOrigins, ['http://localhost:6274', 'http://127.0.0.1:6274']);
    assert.equal(result.config.policyFile, 'mcp-policy.yaml');
    assert.equal(result.config.workspace, 'data/workspace');
    assert.equal(result.config.auditPath, 'data/mcp-audit.db');
    assert.equal(result.config.allowLoopbackOrigins, true);
  });

  it('accepts loopback Origins only when bound to loopback', () => {
    const local = resolveMcpConfig({ MCP_HOST: 'localhost' });
    assert.ok(local.ok && local.config.allowLoopbackOrigins);
    const pub = resolveMcpConfig({ MCP_HOST: '0.0.0.0', MCP_ALLOWED_HOSTS: 'mcp.internal', MCP_TOKEN: 'x'.repeat(40) });
    assert.ok(pub.ok);
    assert.equal(pub.config.allowLoopbackOrigins, false);
  });

  it('refuses a public interface without allowed hosts and a token', () => {
    const result = resolveMcpConfig({ MCP_HOST: '0.0.0.0' });
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0] ?? '', /MCP_HOST=0\.0\.0\.0 is not a loopback address: set MCP_ALLOWED_HOSTS/);
    assert.match(result.problems[1] ?? '', /set MCP_TOKEN/);
  });

  it('accepts a public interface once both are configured, checking only the named hosts', () => {
    const result = resolveMcpConfig({ MCP_HOST: '0.0.0.0', MCP_ALLOWED_HOSTS: 'mcp.internal, 10.0.0.5', MCP_TOKEN: 'x'.repeat(40) });
    assert.ok(result.ok);
    assert.deepEqual(result.config.allowedHosts, ['mcp.internal', '10.0.0.5']);
  });

  it('keeps the Inspector origin out of production and checks origin syntax', () => {
    const prod = resolveMcpConfig({ NODE_ENV: 'production', MCP_ALLOWED_ORIGINS: 'https://app.example.com' });
    assert.ok(prod.ok);
    assert.deepEqual(prod.config.allowedOrigins, ['https://app.example.com']);
    const bad = resolveMcpConfig({ MCP_ALLOWED_ORIGINS: 'https://app.example.com/path', MCP_PORT: 'x' });
    assert.ok(!bad.ok);
    assert.match(bad.problems.join('\n'), /MCP_PORT=x is not a port number/);
    assert.match(bad.problems.join('\n'), /not an origin/);
  });
});
