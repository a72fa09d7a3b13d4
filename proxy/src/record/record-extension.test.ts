import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer, tempDir, waitFor, type RunningServer } from '../../../test/kit/index.js';
import { startProxy, type RunningProxy } from '../../../test/kit/proxy/proxy-harness.js';
import type { Identify } from '../identify.js';
import { createRecordExtension, type RecordExtension } from './record-extension.js';
import type { RecordedExchange, RecordingFooter, RecordingHeader } from './recording-format.js';
import { readRecording } from './read-recording.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJl';

function yaml(url: string): string {
  return `version: 1
backends:
  legacy: { url: ${url}, auth: session }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
    redact: [ssn]
  - name: other
    paths: [/other]
    target: legacy
`;
}

// The session bridge's identity, as the proxy process wires it: here a header stands for the session.
const identify: Identify = (req) => (typeof req.headers['x-test-user'] === 'string' ? `user:${req.headers['x-test-user']}` : 'addr:127.0.0.1');

describe('recording exchanges through the proxy', () => {
  const dir = tempDir('record-');
  let backend: RunningServer;
  let record: RecordExtension;
  let proxy: RunningProxy;
  let slow = false;

  before(async () => {
    backend = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const answer = () => {
          res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'set-cookie': 'connect.sid=s%3Asecretsid.signaturesignature', location: '/users/9' });
          res.end(JSON.stringify({ method: req.method, url: req.url, got: body ? JSON.parse(body) as unknown : null, token: JWT, big: req.url?.includes('big') ? 'x'.repeat(5000) : undefined }));
        };
        if (slow) setTimeout(answer, 50);
        else answer();
      });
    });
    record = createRecordExtension({ dir: dir.file('recordings'), identify, maxBodyBytes: 2048 });
    proxy = await startProxy(yaml(backend.url), { extensions: [record] });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
    dir.cleanup();
  });

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${proxy.url}${path}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });

  function lines(file: string): unknown[] {
    return readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  }

  it('writes a header, each exchange of the route with the user by id and secrets redacted, and a closing line', async () => {
    const started = record.start({ route: 'users', count: 3 });
    assert.ok(started.ok);
    const secretHeaders = { cookie: 'connect.sid=s%3Aabc.def', authorization: `Bearer ${JWT}`, 'x-test-user': '7' };
    assert.equal((await send('GET', '/users?page=2&access_token=tok-1', undefined, secretHeaders)).status, 200);
    assert.equal((await send('GET', '/other')).status, 200, 'another route is not recorded');
    assert.equal((await send('POST', '/users', { username: 'ann', email: 'ann@example.test', password: 'hunter2', ssn: '123-45' })).status, 201);
    assert.equal((await send('PUT', '/users/big', { name: 'x'.repeat(3000) }, { 'x-test-user': '7' })).status, 200);
    assert.equal((await send('GET', '/users')).status, 200, 'after the count: not recorded');
    await waitFor(() => record.get(started.recording.id)?.state === 'done', 'the recording to end');
    await record.stop(started.recording.id); // already ended: waits for the file to be complete
    const text = readFileSync(started.recording.file, 'utf8');
    for (const secret of ['hunter2', '123-45', 'tok-1', JWT, 'secretsid', 'abc.def']) assert.ok(!text.includes(secret), `${secret} in the recording`);
    const [header, ...rest] = lines(started.recording.file) as [RecordingHeader, ...unknown[]];
    const footer = rest.pop() as RecordingFooter;
    const exchanges = rest as RecordedExchange[];
    assert.equal(header.route, 'users');
    assert.deepEqual(header.limits, { bodyBytes: 2048, fileBytes: 50 * 1024 * 1024, exchanges: 3, durationMs: null });
    assert.ok(header.redacted.includes('ssn'));
    assert.deepEqual(exchanges.map((e) => [e.seq, e.route, e.method, e.path, e.user, e.response.status]), [[1, 'users', 'GET', '/users', '7', 200], [2, 'users', 'POST', '/users', null, 201], [3, 'users', 'PUT', '/users/big', '7', 200]]);
    assert.match(exchanges[0]?.query ?? '', /^\?page=2&access_token=%5Bredacted/);
    assert.deepEqual(exchanges[0]?.request.headers, { accept: '*/*' }, 'no cookie, no authorization');
    assert.deepEqual(exchanges[0]?.response.headers, { 'content-type': 'application/json', location: '/users/9' }, 'no set-cookie');
    assert.deepEqual(exchanges[1]?.request.body, { username: 'ann', email: 'ann@example.test', password: '[redacted secret 3]', ssn: '[redacted secret 4]' }, 'one redactor for the whole recording: labels 1 and 2 went to the query token and the token in the first answer');
    assert.equal(exchanges[1]?.request.encoding, 'json');
    assert.deepEqual([exchanges[2]?.request.truncated, exchanges[2]?.request.body, exchanges[2]?.response.truncated], [true, null, true], 'bodies over the limit are marked, not kept');
    assert.ok((exchanges[1]?.offsetMs ?? -1) >= (exchanges[0]?.offsetMs ?? 0));
    assert.deepEqual([footer.end, footer.reason, footer.exchanges], [true, 'count', 3]);
    const read = readRecording(text, started.recording.file);
    assert.ok(read.ok, read.ok ? '' : read.errors.join('\n'));
    assert.equal(read.warnings.length, 1, 'the PUT whose bodies were too long');
  });

  it('a recording never delays the answer beyond the backend: the line is written after it', async () => {
    const started = record.start({ route: 'users', durationMs: 60_000 });
    assert.ok(started.ok);
    slow = true;
    try {
      const res = await send('GET', '/users');
      assert.equal(res.status, 200);
    } finally {
      slow = false;
    }
    await waitFor(() => (record.get(started.recording.id)?.exchanges ?? 0) === 1, 'the exchange to be written');
    const stopped = await record.stop(started.recording.id);
    assert.deepEqual([stopped?.state, stopped?.reason], ['done', 'stopped']);
  });

  it('stops at its size limit and says so', async () => {
    const small = createRecordExtension({ dir: dir.file('small'), maxFileBytes: 2500, identify });
    const p = await startProxy(yaml(backend.url), { extensions: [small] });
    try {
      const started = small.start({ route: 'users', durationMs: 60_000 });
      assert.ok(started.ok);
      for (let i = 0; i < 10 && small.get(started.recording.id)?.state === 'recording'; i++) {
        assert.equal((await fetch(`${p.url}/users`)).status, 200, 'requests are answered whatever the recording does');
      }
      await waitFor(() => small.get(started.recording.id)?.state === 'done', 'the size limit');
      const status = await small.stop(started.recording.id);
      assert.equal(status?.reason, 'size');
      assert.ok((status?.bytes ?? Infinity) <= 2500);
      assert.equal((lines(started.recording.file).at(-1) as RecordingFooter).reason, 'size');
    } finally {
      await p.close();
    }
  });

  it('records several routes into one file, in the order their answers ended, each exchange naming its route', async () => {
    const started = record.start({ route: 'users, other', count: 3 });
    assert.ok(started.ok);
    assert.equal(started.recording.route, 'users,other');
    assert.equal(record.start({ route: 'other', count: 1 }).ok, false, 'each of its routes is busy');
    assert.equal((await send('POST', '/users', { username: 'bo' })).status, 201);
    assert.equal((await send('GET', '/other')).status, 200);
    assert.equal((await send('GET', '/users/1')).status, 200);
    await waitFor(() => record.get(started.recording.id)?.state === 'done', 'the recording to end');
    await record.stop(started.recording.id);
    const [header, ...rest] = lines(started.recording.file) as [RecordingHeader, ...RecordedExchange[]];
    assert.equal(header.route, 'users,other');
    assert.deepEqual(rest.slice(0, 3).map((e) => [e.seq, e.route, e.method, e.path]), [[1, 'users', 'POST', '/users'], [2, 'other', 'GET', '/other'], [3, 'users', 'GET', '/users/1']]);
    const again = record.start({ route: 'other', count: 1 });
    assert.ok(again.ok, 'free again once it ended');
    await record.stop(again.recording.id);
  });

  it('refuses an unknown route, a second recording of a route, and bad limits, each with the fix', () => {
    assert.deepEqual(record.start({ route: 'nope' }), { ok: false, status: 404, error: 'unknown route "nope" (known: users, other): name a route of routes.yaml, or several separated by commas' });
    assert.deepEqual(record.start({ route: 'users,nope' }), { ok: false, status: 404, error: 'unknown route "nope" (known: users, other): name a route of routes.yaml, or several separated by commas' });
    const first = record.start({ route: 'other', count: 1 });
    assert.ok(first.ok);
    const again = record.start({ route: 'other', count: 1 });
    assert.equal(again.ok, false);
    assert.match(again.ok ? '' : again.error, /already being recorded .*DELETE \/__proxy\/recordings\//);
    assert.match((record.start({ route: 'users', count: 0 }) as { error: string }).error, /whole number/);
    assert.match((record.start({ route: 'users', durationMs: 48 * 3600_000 }) as { error: string }).error, /at most 24 h/);
  });

  it('a folder it cannot write to refuses the start, and requests go on', async () => {
    const blocked = dir.file('blocked');
    writeFileSync(blocked, 'a file, not a folder');
    const broken = createRecordExtension({ dir: blocked });
    const p = await startProxy(yaml(backend.url), { extensions: [broken] });
    try {
      const started = broken.start({ route: 'users', count: 1 });
      assert.equal(started.ok, false);
      assert.match(started.ok ? '' : started.error, /cannot write a recording in .*blocked/);
      assert.equal((await fetch(`${p.url}/users`)).status, 200);
    } finally {
      await p.close();
    }
  });

  it('the admin API starts, lists, reads and stops recordings, behind the admin token', async () => {
    assert.equal((await fetch(`${proxy.url}/__proxy/recordings`, { method: 'POST' })).status, 401);
    const bad = await proxy.admin('recordings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'users', duration: 'soon' }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /duration: "soon" is not a duration: write 90s, 10m or 1h/);
    const res = await proxy.admin('recordings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'users', duration: '1m' }) });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    await (await send('GET', '/users')).text();
    await waitFor(async () => ((await (await proxy.admin(`recordings/${id}`)).json()) as { exchanges: number }).exchanges === 1, 'one exchange');
    const stopped = (await (await proxy.admin(`recordings/${id}`, { method: 'DELETE' })).json()) as { state: string };
    assert.equal(stopped.state, 'done');
    const file = await proxy.admin(`recordings/${id}/file`);
    assert.equal(file.headers.get('content-type'), 'application/x-ndjson');
    assert.equal((await file.text()).trimEnd().split('\n').length, 3);
    const list = (await (await proxy.admin('recordings')).json()) as { recordings: { id: string }[] };
    assert.ok(list.recordings.some((r) => r.id === id));
    assert.equal((await proxy.admin('recordings/nope')).status, 404);
  });
});
