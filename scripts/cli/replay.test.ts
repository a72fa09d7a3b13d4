import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../lib/sqlite.js';
import { captureIo } from '../../test/kit/cli-fixture.js';
import { tempDir } from '../../test/kit/temp.js';
import { replayPassed, type ReplayReport } from '../../proxy/src/replay/index.js';
import { colors } from './io.js';
import { formatReport, run } from './replay.js';

const dir = tempDir('cli-replay-');
after(() => dir.cleanup());

const db = openDatabase(dir.file('app.db'));
db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
db.close();

const HEADER = JSON.stringify({ recording: 1, id: 'users-1', route: 'users', startedAt: '2026-12-06T08:00:00.000Z', limits: { bodyBytes: 65536, fileBytes: 52428800, exchanges: null, durationMs: 600000 }, redacted: [] });
const EXCHANGE = JSON.stringify({ seq: 1, at: '2026-12-06T08:00:01.000Z', offsetMs: 1000, durationMs: 3, user: null, route: 'users', method: 'GET', path: '/users', query: '', backend: 'legacy', request: { headers: {}, encoding: 'none', body: null, truncated: false }, response: { status: 401, headers: { 'content-type': 'application/json' }, encoding: 'json', body: { error: 'Not authenticated' }, truncated: false } });
const FOOTER = JSON.stringify({ end: true, endedAt: '2026-12-06T08:00:02.000Z', reason: 'stopped', exchanges: 1, skipped: 0 });
const recording = (lines: string[]) => {
  const file = dir.file(`rec-${lines.length}-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

function routes(replay: string): string {
  const file = dir.file(`routes-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
${replay}`);
  return file;
}

const env = { SESSION_SECRET: 's'.repeat(40), JWT_SECRET: 'j'.repeat(40), MCP_TOKEN: 'm'.repeat(40), PROXY_ADMIN_TOKEN: 'a'.repeat(40), PATH: process.env.PATH };

describe('strangler replay: what it refuses before anything runs', () => {
  it('--help prints the usage and exits 0', async () => {
    const io = captureIo(dir.path, env);
    assert.equal(await run(['--help'], io), 0);
    assert.match(io.text(), /^strangler replay FILE \[--json\] \[--fail-under PCT\] \[--rollback-check\]/);
  });

  it('asks for the recording, and refuses a --fail-under that is not a percentage (exit 2)', async () => {
    let io = captureIo(dir.path, env);
    assert.equal(await run([], io), 2);
    assert.match(io.text(), /give the recording to replay/);
    io = captureIo(dir.path, env);
    assert.equal(await run(['x.jsonl', '--fail-under', '120'], io), 2);
    assert.match(io.text(), /--fail-under 120: give a percentage from 0 to 100/);
  });

  it('refuses a recording cut short or edited by hand, naming the line, and replays nothing', async () => {
    const io = captureIo(dir.path, env);
    const file = recording([HEADER, EXCHANGE.replace('"seq":1', '"seq":2'), FOOTER]);
    assert.equal(await run([file, '--routes', routes('')], io), 2);
    assert.match(io.text(), /rec-3-\w+\.jsonl:2: seq 2 where 1 was expected/);
    assert.match(io.text(), /Nothing was replayed\./);
    const cut = captureIo(dir.path, env);
    assert.equal(await run([recording([HEADER, EXCHANGE])], cut), 2);
    assert.match(cut.text(), /:2: the closing line is missing: the recording was cut short/);
  });

  it('says what is missing from routes.yaml: the replay block, a backend, the {db} placeholder', async () => {
    const file = recording([HEADER, EXCHANGE, FOOTER]);
    let io = captureIo(dir.path, env);
    assert.equal(await run([file, '--routes', routes('')], io), 2);
    assert.match(io.text(), /no `replay` block: add one that says how to start each backend on a database copy/);
    io = captureIo(dir.path, env);
    assert.equal(await run([file, '--routes', routes(`replay:
  database: app.db
  backends:
    legacy: { command: [node, app.js], env: { PORT: "{port}" } }
`)], io), 2);
    assert.match(io.text(), /replay\.backends\.legacy\.env names no \{db\}: legacy would run on the original database/);
    assert.match(io.text(), /replay\.backends\.new is missing: say how to start new on a copy/);
  });

  it('names a backend that does not start on its copy, with its last lines', async () => {
    const file = recording([HEADER, EXCHANGE, FOOTER]);
    const io = captureIo(dir.path, env);
    const code = await run([file, '--routes', routes(`replay:
  database: app.db
  backends:
    legacy:
      command: [node, -e, "console.log('opening', process.env.DATABASE_PATH.endsWith('legacy.db')); console.error('cannot bind'); process.exit(3)"]
      env: { DATABASE_PATH: "{db}", PORT: "{port}" }
    new: { command: [node, -e, "setInterval(() => {}, 1000)"], env: { DATABASE_PATH: "{db}" } }
`)], io);
    assert.equal(code, 2);
    assert.match(io.text(), /legacy \(legacy side\) stopped before it was ready \(exit code 3\)/);
    assert.match(io.text(), /opening true\n\s+cannot bind/);
    assert.match(io.text(), /Nothing was replayed\./);
  });
});

describe('strangler replay: the report a person reads', () => {
  const report: ReplayReport = {
    mode: 'compare',
    recording: { file: '/tmp/rec.jsonl', id: 'users-1', route: 'users', exchanges: 4 },
    backup: '/tmp/backups/app-1.db',
    sides: ['legacy', 'new'],
    answers: {
      replayed: 4, compared: 4, matched: 3, mismatched: 1, skipped: 0, matchRate: 0.75,
      paths: [{ path: '$.email', route: 'users', count: 1, seq: 2 }],
      mismatches: [{ seq: 2, route: 'users', method: 'PUT', path: '/users/7', user: '1', statuses: [200, 200], differences: [{ path: '$.email', kind: 'changed', primary: 'A@x.io', shadow: 'a@x.io' }] }],
    },
    tables: { compared: ['mcp_commands', 'users'], differences: [{ table: 'users', added: 0, removed: 0, changed: 1, columns: { email: 1 }, schema: [], samples: [{ key: 'id=7', kind: 'changed', columns: { email: { legacy: 'A@x.io', new: 'a@x.io' } } }] }] },
    warnings: [],
    durationMs: 4200,
  };

  it('leads with the counts, then where answers differ, the tables that differ, and the verdict', () => {
    const text = formatReport(report, replayPassed(report, 100), 100, colors(captureIo(dir.path)), (f) => f);
    assert.match(text, /^Replay of \/tmp\/rec\.jsonl \(4 exchanges of users\) on legacy and new/);
    assert.match(text, /│ 4\s+│ 4\s+│ 3\s+│ 1\s+│ 0\s+│ 75\.0 %/);
    assert.match(text, /│ users\s+│ \$\.email\s+│ 1\s+│ #2/);
    assert.match(text, /#2 PUT \/users\/7 as user 1: 200 on legacy, 200 on new/);
    assert.match(text, /Databases: 1 of 2 tables differ/);
    assert.match(text, /users id=7: changed \(email: "A@x\.io" → "a@x\.io"\)/);
    assert.match(text, /✖ failed: 75\.0 % of answers match \(gate 100 %\), 1 table\(s\) differ/);
  });
});
