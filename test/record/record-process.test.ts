// `strangler record` against the system as `npm start` runs it: the proxy process records
// through its own wiring (the session bridge names the user), and the CLI saves the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../kit/client.js';
import { tempDir } from '../kit/temp.js';
import { startProcessSystem, type ProcessSystem } from '../kit/process-system.js';
import { run } from '../../scripts/cli/record.js';
import type { RecordedExchange, RecordingFooter } from '../../proxy/src/record/index.js';
import { waitFor } from '../kit/index.js';

describe('strangler record with the real processes', { timeout: 300_000 }, () => {
  let system: ProcessSystem;
  const dir = tempDir('record-process-');
  before(async () => {
    system = await startProcessSystem();
  });
  after(async () => {
    await system?.close();
    dir.cleanup();
  });

  it('records a session with writes, the user by id, the password never written', async () => {
    const admin = new ApiClient(system.url);
    assert.equal((await admin.login(system.admin.username, system.admin.password)).status, 200);
    const out = dir.file('users.jsonl');
    const said: string[] = [];
    const io = { env: system.cliEnv, cwd: dir.path, color: false, out: (t: string) => said.push(t), err: (t: string) => said.push(t) };
    const recording = run(['--route', 'users', '--count', '3', '--out', out], io);
    await waitFor(async () => {
      const res = await fetch(`${system.url}/__proxy/recordings`, { headers: { authorization: `Bearer ${system.cliEnv.PROXY_ADMIN_TOKEN}` } });
      return ((await res.json()) as { recordings: { state: string }[] }).recordings.some((r) => r.state === 'recording');
    }, 'the recording to start');
    const password = 'a-password-never-recorded';
    const created = await admin.post('/users', { username: 'rec', name: 'Rec', email: 'rec@example.test', password });
    assert.equal(created.status, 201);
    assert.equal((await admin.put(`/users/${(created.body as { id: number }).id}`, { name: 'Rec 2' })).status, 200);
    assert.equal((await admin.delete(`/users/${(created.body as { id: number }).id}`)).status, 204);
    assert.equal(await recording, 0, said.join('\n'));
    const text = readFileSync(out, 'utf8');
    assert.ok(!text.includes(password), 'the password is redacted');
    assert.ok(!text.includes('connect.sid'), 'no cookie');
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const exchanges = lines.slice(1, -1) as RecordedExchange[];
    assert.deepEqual(exchanges.map((e) => [e.method, e.response.status, e.user]), [['POST', 201, '1'], ['PUT', 200, '1'], ['DELETE', 204, '1']]);
    assert.deepEqual((exchanges[0]?.request.body as Record<string, unknown>).email, 'rec@example.test');
    assert.equal((lines.at(-1) as RecordingFooter).reason, 'count');
  });
});
