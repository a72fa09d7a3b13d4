import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMENTED } from '../../test/kit/proxy/routes-yaml-examples.js';
import { tempDir } from '../../test/kit/index.js';
import { run as status } from './status.js';
import { captureIo, cliFixture, startAdminStandIn, writeRoutes } from '../../test/kit/cli-fixture.js';

const fx = cliFixture('strangler-status-');
const { dir, fresh } = fx;
before(() => fx.setUp());
after(() => fx.tearDown());

const TOKEN = 'test-admin-token';

describe('strangler status', () => {
  it('prints the table and says the proxy is not running', async () => {
    const file = fresh(COMMENTED.replace('    # canary: { to: new, percent: 25 }', '    canary: { to: new, percent: 25 }\n    shadow: { to: new }'));
    const io = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await status(['--file', file], io), 0);
    const text = io.text();
    assert.match(text, /│ route +│ paths +│ methods +│ target +│ canary +│ shadow +│/);
    assert.match(text, /│ users +│ \/users, \/users\/\*\* +│ any +│ legacy +│ 25% -> new +│ new \(GET, HEAD\) +│/);
    assert.match(text, /│ \(other\) +│ anything else/);
    assert.match(text, /Proxy http:\/\/127\.0\.0\.1:\d+: not running \(nothing is listening\)/);
  });

  it('shows what the running proxy loaded, and a difference from the file', async () => {
    const file = fresh();
    const proxy = await startAdminStandIn(file, TOKEN);
    try {
      const same = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await status(['--file', file], same), 0);
      assert.match(same.text(), new RegExp(`Proxy ${proxy.url}: routing with .*routes-\\d+\\.yaml, loaded \\d{4}-\\d\\d-\\d\\dT.* \\(\\d+ s ago\\)`));
      assert.match(same.text(), /✔ same routing as the file/);

      proxy.freeze();
      writeRoutes(file, COMMENTED.replace('target: legacy      # still old', 'target: new'));
      const differs = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: TOKEN });
      assert.equal(await status(['--file', file], differs), 0);
      assert.match(differs.text(), /differs from the file.*\n {4}auth: legacy -> new/);
    } finally {
      await proxy.close();
    }
  });

  it('reads the token from data/dev-secrets.env like the proxy does', async () => {
    const work = tempDir('strangler-cli-cwd-');
    try {
      const file = writeRoutes(work.file('routes.yaml'), COMMENTED);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(work.file('data'));
      writeFileSync(work.file('data/dev-secrets.env'), `# dev\nSESSION_SECRET=x\nPROXY_ADMIN_TOKEN=${TOKEN}\n`);
      const proxy = await startAdminStandIn(file, TOKEN);
      try {
        const io = captureIo(work.path, { PROXY_URL: proxy.url });
        assert.equal(await status([], io), 0);
        assert.match(io.text(), /same routing as the file/);
      } finally {
        await proxy.close();
      }
    } finally {
      work.cleanup();
    }
  });

  it('prints JSON with --json', async () => {
    const file = fresh();
    const io = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await status(['--json', '--file', file], io), 0);
    const json = JSON.parse(io.stdout.join('\n')) as { file: { routes: { name: string }[] }; proxy: { state: string } };
    assert.deepEqual(json.file.routes.map((r) => r.name), ['auth', 'users', 'mcp']);
    assert.equal(json.proxy.state, 'down');
  });

  it('exits 1 on an invalid file, listing its errors', async () => {
    const file = fresh('version: 1\n');
    const io = captureIo(dir.path, { PROXY_URL: fx.down });
    assert.equal(await status(['--file', file], io), 1);
    assert.match(io.text(), /is invalid \(the proxy keeps its last good table until it is fixed\):\n {2}.*:1: backends: required/);
  });
});
