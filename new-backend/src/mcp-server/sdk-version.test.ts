import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (rel: string) => JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { version: string; dependencies: Record<string, string> };

describe('MCP SDK version (M1)', () => {
  it('is at least 1.26.0 on the 1.x line: DNS-rebinding defaults, no cross-client leak, ReDoS fixed', () => {
    const [major, minor] = read('../../../node_modules/@modelcontextprotocol/sdk/package.json').version.split('.').map(Number);
    assert.equal(major, 1);
    assert.ok((minor ?? 0) >= 26);
    assert.match(read('../../../package.json').dependencies['@modelcontextprotocol/sdk'] ?? '', /^\^1\.(2[6-9]|[3-9]\d)\./);
  });
});
