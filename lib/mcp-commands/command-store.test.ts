import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { createMcpSchema, MCP_SCHEMA } from '../../legacy-adapter/src/mcp/mcp-schema.js';
import { createSqlCommandStore } from '../../legacy-adapter/src/mcp/sql-command-store.js';
import { createKysely } from '../../new-backend/src/db/connect.js';
import { migrateToLatest } from '../../new-backend/src/db/migrator.js';
import { MCP_APPROVALS_SQL } from '../../new-backend/src/db/migrations/0004-mcp-approvals.js';
import { createKyselyCommandStore } from '../../new-backend/src/mcp/kysely-command-store.js';
import { openDatabase, type SqliteDatabase } from '../sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import { MAX_LIST_LIMIT } from './command-input.js';
import { MAX_FEED_PAGE, type CommandStore } from './command-store.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const binding = (expiresAt: string) => ({ argv: ['mkdir', 'x'], argvSha256: 'f'.repeat(64), cwd: '.', expiresAt });

// One behaviour, two implementations on one file: the legacy app's raw SQL and the new
// backend's Kysely must be interchangeable, since either may serve any request.
describe('CommandStore: raw SQL (legacy) and Kysely (new backend) on one database', () => {
  const dir = tempDir('strangler-store-');
  let legacyDb: SqliteDatabase;
  let kysely: ReturnType<typeof createKysely>;
  let stores: Record<'sql' | 'kysely', CommandStore>;
  let user = 0;

  before(async () => {
    legacyDb = openDatabase(dir.file('app.db'));
    createLegacySchema(legacyDb);
    createMcpSchema(legacyDb);
    kysely = createKysely(openDatabase(dir.file('app.db')));
    const migrated = await migrateToLatest(kysely);
    assert.ok(migrated.ok, JSON.stringify(migrated));
    user = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES ('s', 'S', 's@x.io', 'h')").run().lastInsertRowid);
    stores = { sql: createSqlCommandStore(legacyDb), kysely: createKyselyCommandStore(kysely) };
  });
  after(async () => {
    await kysely.destroy();
    legacyDb.close();
    dir.cleanup();
  });

  it('the legacy app and migration 0004 create the same objects, word for word', () => {
    assert.equal(MCP_APPROVALS_SQL, MCP_SCHEMA);
  });

  it('reads the change feed through the (updated_at, id) index', () => {
    const plan = legacyDb.prepare('EXPLAIN QUERY PLAN SELECT * FROM mcp_commands WHERE (updated_at, id) > (?, ?) ORDER BY updated_at, id LIMIT ?').all('x', 0, 10) as Array<{ detail: string }>;
    assert.match(plan.map((p) => p.detail).join('\n'), /USING (COVERING )?INDEX mcp_commands_updated_at/);
  });

  for (const name of ['sql', 'kysely'] as const) {
    describe(name, () => {
      const store = () => stores[name];
      const insert = (command = 'ls', second = 0) => store().insert({ userId: user, toolName: 'terminal_command', command, params: JSON.stringify({ command }), at: at(second) });

      it('records a command as executing, then finishes it', async () => {
        const row = await insert('echo a', 1);
        assert.deepEqual({ ...row, id: 0 }, {
          id: 0, user_id: user, tool_name: 'terminal_command', command: 'echo a', params: '{"command":"echo a"}', status: 'executing',
          result: null, approved_by: null, created_at: at(1), updated_at: at(1),
        });
        const done = await store().finish(row.id, 'executed', '{"stdout":"a"}', at(2));
        assert.deepEqual({ status: done?.status, result: done?.result, updated_at: done?.updated_at }, { status: 'executed', result: '{"stdout":"a"}', updated_at: at(2) });
        assert.equal(await store().finish(999_999, 'failed', null, at(2)), undefined);
      });

      it('stores what may be approved; one claim wins, later ones and expired ones lose', async () => {
        const row = await insert('mkdir x');
        const pending = await store().awaitApproval(row.id, binding(at(100)), at(3));
        assert.equal(pending?.status, 'pending_approval');
        assert.deepEqual(await store().binding(row.id), binding(at(100)));
        assert.equal(await store().claim(row.id, user, at(100)), undefined, 'expired at its expiry instant');
        const claimed = await store().claim(row.id, user, at(4));
        assert.deepEqual({ status: claimed?.status, approved_by: claimed?.approved_by }, { status: 'executing', approved_by: user });
        assert.equal(await store().claim(row.id, user, at(5)), undefined);
        assert.equal(await store().reject(row.id, at(5)), undefined);
      });

      it('rejects a pending command only while it is approvable', async () => {
        const row = await insert('mkdir y');
        await store().awaitApproval(row.id, binding(at(100)), at(3));
        assert.equal((await store().reject(row.id, at(4)))?.status, 'rejected');
        assert.equal(await store().claim(row.id, user, at(5)), undefined);
      });

      it('expires pending commands past their time, and those with no stored approval', async () => {
        const late = await insert('mkdir late');
        await store().awaitApproval(late.id, binding(at(10)), at(3));
        const inTime = await insert('mkdir in-time');
        await store().awaitApproval(inTime.id, binding(at(10_000)), at(3));
        const orphan = await insert('mkdir orphan');
        legacyDb.prepare("UPDATE mcp_commands SET status = 'pending_approval' WHERE id = ?").run(orphan.id);
        const expired = await store().expirePending(at(11), '{"stderr":"late"}');
        assert.deepEqual(expired.map((r) => r.id).sort((a, b) => a - b), [late.id, orphan.id]);
        assert.ok(expired.every((r) => r.status === 'rejected' && r.result === '{"stderr":"late"}' && r.updated_at === at(11)));
        assert.equal((await store().find(inTime.id))?.status, 'pending_approval');
        assert.deepEqual(await store().expirePending(at(12), '{}'), []);
        await store().reject(inTime.id, at(12));
      });

      it('fails commands left executing by a process that stopped, and only those', async () => {
        const stale = await insert('sleep forever', 0);
        const running = await insert('echo now', 30);
        const failed = await store().failAbandoned(at(20), at(40), '{"stderr":"stopped"}');
        assert.ok(failed.some((r) => r.id === stale.id && r.status === 'failed' && r.result === '{"stderr":"stopped"}'));
        assert.ok(!failed.some((r) => r.id === running.id));
        assert.equal((await store().find(running.id))?.status, 'executing');
        assert.deepEqual(await store().failAbandoned(at(20), at(41), '{}'), []);
        await store().finish(running.id, 'executed', null, at(41));
      });

      it('lists newest first, by owner and status, up to the limit', async () => {
        const other = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'O', ?, 'h')").run(`o-${name}`, `o-${name}@x.io`).lastInsertRowid);
        const mine = await insert('echo mine');
        const theirs = await store().insert({ userId: other, toolName: 'terminal_command', command: 'echo theirs', params: '{}', at: at(0) });
        await store().finish(theirs.id, 'failed', null, at(1));
        const own = await store().list({ userId: other, status: undefined, limit: 10 });
        assert.deepEqual(own.map((r) => r.id), [theirs.id]);
        const all = await store().list({ userId: undefined, status: undefined, limit: 2 });
        assert.deepEqual(all.map((r) => r.id), [theirs.id, mine.id]);
        assert.deepEqual((await store().list({ userId: undefined, status: 'failed', limit: 200 })).map((r) => r.status).filter((s) => s !== 'failed'), []);
      });

      it('inserts within a rate window only while the user has fewer commands in it', async () => {
        const owner = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'R', ?, 'h')").run(`r-${name}`, `r-${name}@x.io`).lastInsertRowid);
        const command = (second: number) => ({ userId: owner, toolName: 'terminal_command', command: 'ls', params: '{}', at: at(second) });
        const rate = (second: number) => ({ since: at(second - 10), calls: 2 });
        assert.ok(await store().insertWithin(command(100), rate(100)));
        assert.ok(await store().insertWithin(command(101), rate(101)));
        assert.equal(await store().insertWithin(command(102), rate(102)), undefined, 'two in the last 10 s');
        assert.equal((await store().list({ userId: owner, status: undefined, limit: 10 })).length, 2, 'the refused one was not stored');
        assert.ok(await store().insertWithin(command(111), rate(111)), 'the first one left the window');
        assert.equal(await store().insertWithin(command(111), { since: at(100), calls: 2 }), undefined, 'the ones at 101 s and 111 s');
      });

      it('moves a command to pending only while its user has fewer pending than the cap', async () => {
        const owner = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'P', ?, 'h')").run(`p-${name}`, `p-${name}@x.io`).lastInsertRowid);
        const insertOwn = () => store().insert({ userId: owner, toolName: 'terminal_command', command: 'mkdir p', params: '{}', at: at(0) });
        const first = await insertOwn();
        assert.equal((await store().awaitApproval(first.id, binding(at(1000)), at(1), 1))?.status, 'pending_approval');
        const second = await insertOwn();
        assert.equal(await store().awaitApproval(second.id, binding(at(1000)), at(1), 1), undefined);
        assert.equal((await store().find(second.id))?.status, 'executing', 'left for the caller to reject');
        assert.equal(await store().binding(second.id), undefined, 'nothing approvable was stored for it');
        await store().reject(first.id, at(2));
        assert.equal((await store().awaitApproval(second.id, binding(at(1000)), at(3), 1))?.status, 'pending_approval');
        await store().reject(second.id, at(4));
      });

      it('never lists more than MAX_LIST_LIMIT rows, whatever the caller asks', async () => {
        const owner = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'L', ?, 'h')").run(`l-${name}`, `l-${name}@x.io`).lastInsertRowid);
        const many = legacyDb.prepare("INSERT INTO mcp_commands (user_id, tool_name, command, params, status, created_at, updated_at) VALUES (?, 'terminal_command', 'ls', '{}', 'executed', ?, ?)");
        legacyDb.transaction(() => {
          for (let i = 0; i < MAX_LIST_LIMIT + 5; i++) many.run(owner, at(0), at(0));
        })();
        assert.equal((await store().list({ userId: owner, status: undefined, limit: 100_000 })).length, MAX_LIST_LIMIT);
      });

      it('never returns more than MAX_FEED_PAGE changed rows in one read', async () => {
        const owner = Number(legacyDb.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'F', ?, 'h')").run(`f-${name}`, `f-${name}@x.io`).lastInsertRowid);
        const many = legacyDb.prepare("INSERT INTO mcp_commands (user_id, tool_name, command, params, status, created_at, updated_at) VALUES (?, 'terminal_command', 'ls', '{}', 'executed', ?, ?)");
        legacyDb.transaction(() => {
          for (let i = 0; i < MAX_FEED_PAGE + 5; i++) many.run(owner, at(0), at(0));
        })();
        assert.equal((await store().changedAfter({ updatedAt: '', id: 0 }, 100_000)).length, MAX_FEED_PAGE);
      });

      it('reads changes after a cursor in (updated_at, id) order', async () => {
        const a = await insert('echo a', 50);
        const b = await insert('echo b', 50);
        const c = await insert('echo c', 49);
        await store().finish(c.id, 'executed', null, at(51));
        const after = await store().changedAfter({ updatedAt: at(50), id: a.id }, 100);
        const ids = after.map((r) => r.id);
        assert.ok(!ids.includes(a.id), 'the cursor row itself is not repeated');
        assert.ok(ids.indexOf(b.id) < ids.indexOf(c.id), 'b (50 s) before c (51 s)');
        for (let i = 1; i < after.length; i++) {
          const [p, q] = [after[i - 1], after[i]] as [typeof a, typeof a];
          assert.ok(p.updated_at < q.updated_at || (p.updated_at === q.updated_at && p.id < q.id));
        }
        assert.equal((await store().changedAfter({ updatedAt: at(0), id: 0 }, 2)).length, 2);
      });

      it('records an MCP session once and moves last_active_at', async () => {
        const sid = `session-${name}`;
        await store().recordSession(user, sid, at(1));
        await store().recordSession(user, sid, at(2));
        await store().touchSession(sid, at(3));
        assert.deepEqual(legacyDb.prepare('SELECT created_at, last_active_at FROM mcp_sessions WHERE session_id = ?').all(sid), [{ created_at: at(1), last_active_at: at(3) }]);
      });
    });
  }

  it('two connections (as two backends) claiming one command at the same moment: exactly one wins', async () => {
    for (let round = 0; round < 20; round++) {
      const row = await stores.sql.insert({ userId: user, toolName: 'terminal_command', command: 'mkdir race', params: '{}', at: at(0) });
      await stores.kysely.awaitApproval(row.id, binding(at(1000)), at(1));
      const claims = await Promise.all([stores.sql.claim(row.id, user, at(2)), stores.kysely.claim(row.id, user, at(2)), stores.sql.claim(row.id, user, at(2)), stores.kysely.claim(row.id, user, at(2))]);
      assert.equal(claims.filter(Boolean).length, 1);
    }
  });
});
