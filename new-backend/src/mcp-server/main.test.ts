import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { freePorts, runTsx } from '../../../test/kit/index.js';
import { SIGTERM_ON_LINE_PRELOAD } from '../../../test/kit/process.js';
import { createFixture, type Fixture } from '../../../test/kit/mcp-server/fixture.js';
import { stdioEnv } from '../../../test/kit/mcp-server/stdio-env.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the MCP server process (main.ts)', { timeout: 120_000 }, () => {
  let fx: Fixture;
  before(() => {
    fx = createFixture();
  });
  after(() => fx.cleanup());

  it('stops cleanly on a SIGTERM sent the moment it says where it listens', async () => {
    const [port] = await freePorts(1);
    const env = stdioEnv(fx, { MCP_HOST: '127.0.0.1', MCP_PORT: String(port), MCP_AUDIT_PATH: join(fx.dir, 'main-audit.db'), SIGTERM_ON_LINE: 'MCP server on http' });
    const server = runTsx(MAIN, { env, preload: [SIGTERM_ON_LINE_PRELOAD] });
    assert.equal(await server.exited(), 0, server.output());
    assert.match(server.output(), /SIGTERM: closing sessions/);
  });
});
