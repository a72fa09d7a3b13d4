import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseDocument } from 'yaml';
import { replayPassed, runReplay, type ReplayReport } from '../../proxy/src/replay/index.js';
import { startProcessSystem, type ProcessSystem } from '../kit/process-system.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** The repository's routes.yaml `replay` block with its commands made absolute (the routes file is in a temp folder). */
function routesWithReplay(system: ProcessSystem, name: string, newEntry = `${ROOT}new-backend/src/main.ts`): string {
  const doc = parseDocument(readFileSync(`${ROOT}routes.yaml`, 'utf8'));
  const entries: Record<string, string> = {
    'services.mcp': `${ROOT}new-backend/src/mcp-server/main.ts`,
    'backends.legacy': `${ROOT}legacy-adapter/src/main.ts`,
    'backends.new': newEntry,
  };
  for (const [path, entry] of Object.entries(entries)) doc.setIn(['replay', ...path.split('.'), 'command'], ['node', '--import', TSX, entry]);
  doc.setIn(['replay', 'database'], join(system.dir, 'app.db'));
  const file = join(system.dir, name);
  writeFileSync(file, doc.toString());
  return file;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('strangler replay with the real processes', { timeout: 10 * 60_000 }, () => {
  let system: ProcessSystem;
  let recordingFile = '';
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'warn', MCP_COMMAND_RATE: '1000/20s' });
  const logger = pino({ level: 'silent' });

  before(async () => {
    system = await startProcessSystem();
    const call = async (method: string, path: string, body?: unknown, cookie?: string) => {
      const res = await fetch(`${system.url}${path}`, {
        method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : null, cookie: res.headers.getSetCookie()[0]?.split(';')[0] };
    };
    // Logged in before the recording starts: the recording keeps the user by id, never the cookie.
    const login = await call('POST', '/auth/login', system.admin);
    assert.equal(login.status, 200);
    const admin = login.cookie as string;
    const started = await fetch(`${system.url}/__proxy/recordings`, {
      method: 'POST', headers: { authorization: `Bearer ${system.cliEnv.PROXY_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'users,mcp', duration: '10m' }),
    });
    assert.equal(started.status, 201, await started.clone().text());
    const { id } = (await started.json()) as { id: string };

    const created = await call('POST', '/users', { username: 'replayed', name: 'Re Played', email: 'Re.Played@Example.com', password: 'replay-password-1' }, admin);
    assert.equal(created.status, 201);
    const userId = created.json?.id as number;
    assert.equal((await call('PUT', `/users/${userId}`, { name: 'Re Played Again', email: 'Mixed.Case@Example.com' }, admin)).status, 200);
    assert.equal((await call('GET', '/users', undefined, admin)).status, 200);
    const pending = await call('POST', '/mcp/execute', { tool_name: 'terminal_command', params: { command: 'mkdir replayed-dir' } }, admin);
    assert.equal(pending.status, 202, JSON.stringify(pending.json));
    assert.equal((await call('POST', `/mcp/commands/${String(pending.json?.id)}/approve`, {}, admin)).status, 200);
    assert.equal((await call('POST', '/mcp/execute', { tool_name: 'terminal_command', params: { command: 'echo replayed' } }, admin)).status, 200);
    assert.equal((await call('GET', '/mcp/commands', undefined, admin)).status, 200);
    const doomed = await call('POST', '/users', { username: 'doomed', name: 'Doomed', email: 'doomed@example.com', password: 'doomed-password-1' }, admin);
    assert.equal((await call('DELETE', `/users/${String(doomed.json?.id)}`, undefined, admin)).status, 204);
    assert.equal((await call('GET', `/users/${String(doomed.json?.id)}`, undefined, admin)).status, 404, 'a user deleted midway');
    assert.equal((await call('GET', '/users', undefined, admin)).status, 200);

    const stopped = await fetch(`${system.url}/__proxy/recordings/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${system.cliEnv.PROXY_ADMIN_TOKEN}` } });
    assert.equal(stopped.status, 200);
    const file = await fetch(`${system.url}/__proxy/recordings/${id}/file`, { headers: { authorization: `Bearer ${system.cliEnv.PROXY_ADMIN_TOKEN}` } });
    recordingFile = join(system.dir, 'session.jsonl');
    writeFileSync(recordingFile, await file.text());
  });

  after(() => system?.close());

  async function replay(routesFile: string, mode: 'compare' | 'rollback-check' = 'compare'): Promise<ReplayReport> {
    const outcome = await runReplay({ routesFile, recordingFile, mode, env: env(), logger });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.errors.join('\n'));
    return outcome.report;
  }

  it('replays a session with writes on this repository\'s backends: 100 % of answers match, the databases agree, the original is only read', async () => {
    const recording = readFileSync(recordingFile, 'utf8');
    assert.doesNotMatch(recording, /replay-password-1|connect\.sid/, 'the password and the cookie never reach the file');
    const routesFile = routesWithReplay(system, 'routes-replay.yaml');
    const database = join(system.dir, 'app.db');
    const before = sha(database);
    const report = await replay(routesFile);
    assert.equal(report.answers.replayed, 11, JSON.stringify(report.answers, null, 2));
    assert.equal(report.answers.mismatched, 0, JSON.stringify(report.answers.mismatches, null, 2));
    assert.equal(report.answers.matchRate, 1);
    assert.deepEqual(report.tables.differences, [], JSON.stringify(report.tables.differences, null, 2));
    assert.ok(report.tables.compared.includes('users') && report.tables.compared.includes('mcp_commands'));
    assert.ok(replayPassed(report, 100));
    assert.equal(sha(database), before, 'the original database file is byte for byte the same');
  });

  it('catches a new backend that lowercases emails on PUT twice: in the answers and in the users table', async () => {
    const routesFile = routesWithReplay(system, 'routes-lowercasing.yaml', `${ROOT}test/replay/new-backend-lowercasing-emails.ts`);
    const report = await replay(routesFile);
    assert.ok(report.answers.mismatched >= 1);
    assert.ok(report.answers.paths.some((p) => p.route === 'users' && p.path === '$.email'), JSON.stringify(report.answers.paths));
    const users = report.tables.differences.find((d) => d.table === 'users');
    assert.deepEqual(users?.columns, { email: 1 });
    assert.deepEqual(users?.samples[0]?.columns?.email, { legacy: 'Mixed.Case@Example.com', new: 'mixed.case@example.com' });
    assert.equal(replayPassed(report, 90), false, 'a differing table fails the gate whatever the rate');
  });

  it('rollback check: legacy reading what new wrote answers as it does reading its own writes; an injected case is caught', async () => {
    const clean = await replay(routesWithReplay(system, 'routes-rollback.yaml'), 'rollback-check');
    assert.deepEqual(clean.sides, ['legacy', 'rollback']);
    assert.ok(clean.answers.compared >= 4 && clean.answers.compared < clean.answers.replayed, 'only the reads are compared');
    assert.equal(clean.answers.mismatched, 0, JSON.stringify(clean.answers.mismatches, null, 2));
    const injected = await replay(routesWithReplay(system, 'routes-rollback-lowercasing.yaml', `${ROOT}test/replay/new-backend-lowercasing-emails.ts`), 'rollback-check');
    assert.ok(injected.answers.mismatches.some((m) => m.method === 'GET' && m.differences.some((d) => d.path.endsWith('email'))), JSON.stringify(injected.answers.mismatches, null, 2));
  });
});
