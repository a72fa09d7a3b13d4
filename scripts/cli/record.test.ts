import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, tempDir, waitFor, type RunningServer } from '../../test/kit/index.js';
import { ADMIN_TOKEN, startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { createRecordExtension, type RecordExtension } from '../../proxy/src/record/index.js';
import { captureIo, closedPortUrl } from '../../test/kit/cli-fixture.js';
import { run } from './record.js';

describe('strangler record', () => {
  const dir = tempDir('cli-record-');
  let backend: RunningServer;
  let record: RecordExtension;
  let proxy: RunningProxy;
  before(async () => {
    backend = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url }));
    });
    record = createRecordExtension({ dir: dir.file('proxy-recordings') });
    proxy = await startProxy(`version: 1
backends:
  legacy: { url: ${backend.url}, auth: session }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
`, { extensions: [record] });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
    dir.cleanup();
  });
  const env = () => ({ PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: ADMIN_TOKEN });

  it('records N exchanges through the running proxy into --out', async () => {
    const io = captureIo(dir.path, env());
    const out = dir.file('rec/users.jsonl');
    const done = run(['--route', 'users', '--count', '2', '--out', out], io);
    await waitFor(() => record.list().some((r) => r.state === 'recording'), 'the recording to start');
    for (const path of ['/users', '/users/1']) assert.equal((await fetch(`${proxy.url}${path}`)).status, 200);
    assert.equal(await done, 0, io.text());
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { path?: string; end?: boolean; reason?: string });
    assert.deepEqual(lines.slice(1, 3).map((l) => l.path), ['/users', '/users/1']);
    assert.deepEqual([lines[3]?.end, lines[3]?.reason], [true, 'count']);
    assert.match(io.text(), /Recording route users for 2 exchanges .*Files stop at 50 MiB, bodies at 64 KiB[\s\S]*✔ 2 exchanges recorded \(count\)/);
  });

  it('Ctrl-C (an abort here) stops early and keeps what was recorded', async () => {
    const io = captureIo(dir.path, env());
    const stop = new AbortController();
    const done = run(['--route', 'users', '--duration', '10m', '--out', dir.file('early.jsonl')], io, stop.signal);
    await waitFor(() => record.list().some((r) => r.state === 'recording'), 'the recording to start');
    stop.abort();
    assert.equal(await done, 0, io.text());
    assert.match(io.text(), /0 exchanges recorded \(stopped\)/);
  });

  it('says what is wrong: usage, an unknown route, no proxy, a refused token', async () => {
    for (const [args, message] of [
      [[], /--route is required/],
      [['--route', 'users', '--count', '2', '--duration', '1m'], /not both/],
      [['--route', 'users', '--duration', 'soon'], /--duration: "soon" is not a duration/],
      [['--route', 'users', '--count', '0'], /--count 0: give a whole number/],
    ] as const) {
      const io = captureIo(dir.path, env());
      assert.equal(await run([...args], io), 2, args.join(' '));
      assert.match(io.text(), message);
    }
    const unknown = captureIo(dir.path, env());
    assert.equal(await run(['--route', 'nope', '--count', '1'], unknown), 1);
    assert.match(unknown.text(), /unknown route "nope" \(known: users\)/);
    const refused = captureIo(dir.path, { PROXY_URL: proxy.url, PROXY_ADMIN_TOKEN: 'wrong' });
    assert.equal(await run(['--route', 'users', '--count', '1'], refused), 1);
    assert.match(refused.text(), /refused the admin token/);
    const closed = await closedPortUrl();
    const down = captureIo(dir.path, { PROXY_URL: closed, PROXY_ADMIN_TOKEN: 'x' });
    assert.equal(await run(['--route', 'users', '--count', '1'], down), 1);
    assert.ok(down.text().includes(`no proxy at ${closed}`), down.text());
  });
});
